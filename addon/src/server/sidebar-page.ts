// The sidebar page. dist/Sidebar.html is written by scripts/build-addon.ts with its script inlined,
// because Apps Script serves one HTML file per page.
const SIDEBAR_FILE = "Sidebar";
const TITLE = "profile-sync";

// A template rather than plain HTML output, so the server can later hand the page its first state
// without another google.script.run round trip.
export function renderSidebar(): GoogleAppsScript.HTML.HtmlOutput {
  return HtmlService.createTemplateFromFile(SIDEBAR_FILE).evaluate().setTitle(TITLE);
}
