// The invitation email: a template the tenant may edit (tenants.settings.inviteTemplate), filled in
// at execution time. Substituted values are HTML-escaped in the HTML part; the text part and the
// subject take them as they are (a subject never spans lines).
import type { InviteTemplate } from "../../db/schema.ts";

export const PLACEHOLDERS = ["tenantName", "hubName", "name", "acceptUrl"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

export const DEFAULT_INVITE_TEMPLATE: InviteTemplate = {
  subject: "{{tenantName}} invites you to {{hubName}}",
  text: [
    "Hello {{name}},",
    "",
    "{{tenantName}} invites you to join {{hubName}}. Accept the invitation here:",
    "{{acceptUrl}}",
    "",
    "The link works once and expires in 14 days.",
    "",
  ].join("\n"),
  html: [
    "<p>Hello {{name}},</p>",
    "<p>{{tenantName}} invites you to join {{hubName}}.</p>",
    '<p><a href="{{acceptUrl}}">Accept the invitation</a></p>',
    "<p>The link works once and expires in 14 days.</p>",
  ].join("\n"),
};

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderInvite(template: InviteTemplate, values: TemplateValues): RenderedEmail {
  return inviteRenderer(template)(values);
}

/**
 * renderInvite for many people: the template is parsed once, then each email is its literal parts
 * and values joined (an execution batch renders thousands).
 */
export function inviteRenderer(template: InviteTemplate): (values: TemplateValues) => RenderedEmail {
  const subject = parts(template.subject);
  const text = parts(template.text);
  const html = parts(template.html);
  return (values) => ({
    subject: fill(subject, values, (v) => v)
      .replace(/\s+/g, " ")
      .trim(),
    text: fill(text, values, (v) => v),
    html: fill(html, values, escapeHtml),
  });
}

/** Literal text at even positions, placeholder names at odd ones. */
function parts(template: string): string[] {
  const result: string[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const key = match[1] ?? "";
    if (!isPlaceholder(key)) continue;
    result.push(template.slice(last, match.index), key);
    last = match.index + match[0].length;
  }
  result.push(template.slice(last));
  return result;
}

function fill(parts: string[], values: TemplateValues, encode: (value: string) => string): string {
  let result = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    result += encode(values[parts[i] as Placeholder]) + parts[i + 1];
  }
  return result;
}

function isPlaceholder(key: string): key is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(key);
}

/** What is wrong with a template an admin saves, one sentence per problem; empty when fine. */
export function templateProblems(template: InviteTemplate): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (const part of ["subject", "text", "html"] as const) {
    for (const match of template[part].matchAll(PLACEHOLDER)) {
      const key = match[1] ?? "";
      if (isPlaceholder(key)) continue;
      problems.push({
        field: part,
        message: `{{${key}}} is not a placeholder; use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`,
      });
    }
  }
  for (const part of ["text", "html"] as const) {
    if (!/\{\{\s*acceptUrl\s*\}\}/.test(template[part])) {
      problems.push({
        field: part,
        message: `The ${part} part needs {{acceptUrl}}: without it the person cannot accept.`,
      });
    }
  }
  return problems;
}

const SPECIAL = /[&<>"']/;

export function escapeHtml(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
