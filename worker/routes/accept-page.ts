// The page an invitation email links to. It accepts only when the person presses the button:
// mail scanners that open links must not use up a single-use token. The token never reaches the
// server's HTML: the script reads it from the address bar and posts it.
export function acceptPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Accept your invitation</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #1f2933; }
  button { font: inherit; padding: .6rem 1.2rem; border: 0; border-radius: .4rem; background: #2563eb; color: #fff; cursor: pointer; }
  button[disabled] { opacity: .6; cursor: default; }
  #message { margin-top: 1rem; }
  .error { color: #b91c1c; }
</style>
</head>
<body>
<h1>Accept your invitation</h1>
<p>Press the button to join.</p>
<button id="accept" type="button">Accept invitation</button>
<p id="message" role="status"></p>
<script>
  const token = new URLSearchParams(location.search).get("token");
  const button = document.getElementById("accept");
  const message = document.getElementById("message");
  const show = (text, error) => { message.textContent = text; message.className = error ? "error" : ""; };
  if (!token) { button.disabled = true; show("This link has no invitation token; open the link from your email again.", true); }
  button.addEventListener("click", async () => {
    button.disabled = true;
    show("Accepting…", false);
    try {
      const response = await fetch(location.pathname, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token }),
      });
      const body = await response.json();
      if (response.ok) show(body.message, false);
      else show(body.detail || "The invitation could not be accepted.", true);
    } catch {
      button.disabled = false;
      show("The server could not be reached; try again.", true);
    }
  });
</script>
</body>
</html>
`;
}
