import { describe, expect, it } from "vitest";
import {
  DEFAULT_INVITE_TEMPLATE,
  inviteRenderer,
  renderInvite,
  templateProblems,
} from "../../../worker/mail/template.ts";

const values = {
  tenantName: `O'Brien & "Sons"`,
  hubName: "Mentoring <Pilot>",
  name: "Zoë",
  acceptUrl: "https://x.test/invitations/accept?token=abc&x=1",
};

describe("renderInvite", () => {
  it("fills every placeholder, escaping values in HTML only", () => {
    const mail = renderInvite(DEFAULT_INVITE_TEMPLATE, values);
    expect(mail.subject).toBe(`O'Brien & "Sons" invites you to Mentoring <Pilot>`);
    expect(mail.text).toContain("Hello Zoë,");
    expect(mail.text).toContain("https://x.test/invitations/accept?token=abc&x=1");
    expect(mail.html).toContain("O&#39;Brien &#38; &#34;Sons&#34;");
    expect(mail.html).toContain("Mentoring &#60;Pilot&#62;");
    expect(mail.html).toContain('href="https://x.test/invitations/accept?token=abc&#38;x=1"');
    expect(`${mail.subject}${mail.text}${mail.html}`).not.toContain("{{");
  });

  it("keeps a subject on one line even if a value holds a newline", () => {
    const mail = renderInvite(DEFAULT_INVITE_TEMPLATE, { ...values, tenantName: "Acme\r\nBcc: x@y.test" });
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it("leaves text that only looks like a placeholder alone", () => {
    const mail = renderInvite(
      { subject: "{{ nope }}", text: "{{acceptUrl}}", html: "{{acceptUrl}}" },
      values,
    );
    expect(mail.subject).toBe("{{ nope }}");
  });
});

describe("inviteRenderer", () => {
  it("fills every occurrence for each person in turn, leaving non-placeholders alone", () => {
    const render = inviteRenderer({
      subject: "{{ tenantName }}: {{name}} {{nope}}",
      text: "{{name}}, {{name}}! {{acceptUrl}}",
      html: "<b>{{name}}</b> {{hubName}} <a href='{{acceptUrl}}'>go</a>{{}}",
    });
    expect(render(values)).toEqual({
      subject: `O'Brien & "Sons": Zoë {{nope}}`,
      text: "Zoë, Zoë! https://x.test/invitations/accept?token=abc&x=1",
      html: "<b>Zoë</b> Mentoring &#60;Pilot&#62; <a href='https://x.test/invitations/accept?token=abc&#38;x=1'>go</a>{{}}",
    });
    const next = render({ ...values, name: "Ada\nO'Hara" });
    expect(next.subject).toBe(`O'Brien & "Sons": Ada O'Hara {{nope}}`);
    expect(next.html).toContain("<b>Ada\nO&#39;Hara</b>");
  });
});

describe("templateProblems", () => {
  it("accepts the built-in template", () => {
    expect(templateProblems(DEFAULT_INVITE_TEMPLATE)).toEqual([]);
  });

  it("names unknown placeholders and a missing accept link", () => {
    const problems = templateProblems({ subject: "{{company}}", text: "Hi", html: "{{acceptUrl}}" });
    expect(problems.map((p) => p.field)).toEqual(["subject", "text"]);
    expect(problems[0]?.message).toContain("{{company}}");
  });
});
