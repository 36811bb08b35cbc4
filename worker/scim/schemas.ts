// The SCIM schemas this service provider supports (RFC 7643 §7 shape), as data: /Schemas serves
// them, and filters, PATCH paths and attribute projection read them for attribute names (matched
// case-insensitively), multi-valuedness, case-exactness and mutability. Only what is stored is
// described; other standard attributes (phoneNumbers, locale…) are accepted and ignored.

export const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const SEGMENTS_USER = "urn:profile-sync:scim:schemas:extension:segments:2.0:User";
export const CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
export const RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
export const SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

export type AttributeType = "string" | "boolean" | "dateTime" | "reference" | "complex";

export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: "readOnly" | "readWrite" | "immutable";
  returned: "always" | "default";
  uniqueness: "none" | "server";
  subAttributes?: AttributeDef[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
  /** Closed: a path naming an attribute not listed is an error, not ignored (our own extension). */
  closed?: boolean;
}

/** The schemas of one resource type: its core schema and the extensions it may carry. */
export interface ResourceSchemas {
  core: SchemaDef;
  extensions: SchemaDef[];
}

type AttrOptions = Partial<Omit<AttributeDef, "name" | "type" | "description">>;

function attr(
  name: string,
  type: AttributeType,
  description: string,
  options: AttrOptions = {},
): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...options,
  };
}

const id = attr("id", "string", "The member's id on the platform.", {
  caseExact: true,
  mutability: "readOnly",
  returned: "always",
  uniqueness: "server",
});

export const USER_SCHEMA: SchemaDef = {
  id: CORE_USER,
  name: "User",
  description: "A member of the tenant.",
  attributes: [
    id,
    attr("externalId", "string", "The HRIS employee id: the first identity key (then userName and email).", {
      caseExact: true,
    }),
    attr(
      "userName",
      "string",
      "Unique in the tenant, case-insensitive. The email unless the identity provider set another.",
      {
        required: true,
        uniqueness: "server",
      },
    ),
    attr("name", "complex", "The member's name.", {
      subAttributes: [
        attr("formatted", "string", "Given and family name, joined.", { mutability: "readOnly" }),
        attr("givenName", "string", "First name."),
        attr("familyName", "string", "Last name."),
      ],
    }),
    attr("displayName", "string", "Given and family name, joined; a value written is not kept."),
    attr("title", "string", "Job title."),
    attr("active", "boolean", "false deactivates the member (never deletes); true reactivates."),
    attr(
      "emails",
      "complex",
      "The work email, the second identity key (case-insensitive). One is kept: the primary.",
      {
        multiValued: true,
        subAttributes: [
          attr("value", "string", "The address."),
          attr("type", "string", "Always work.", { canonicalValues: ["work"] }),
          attr("primary", "boolean", "Always true."),
        ],
      },
    ),
    attr("addresses", "complex", "The work location: city (locality) and country.", {
      multiValued: true,
      subAttributes: [
        attr("type", "string", "Always work.", { canonicalValues: ["work"] }),
        attr("locality", "string", "City or site: the member's location."),
        attr("country", "string", "Country (ISO code or name): sets the content region."),
      ],
    }),
    attr("groups", "complex", "The hubs the member belongs to.", {
      multiValued: true,
      mutability: "readOnly",
      subAttributes: [
        attr("value", "string", "The hub's id.", { caseExact: true, mutability: "readOnly" }),
        attr("$ref", "reference", "The Group.", { mutability: "readOnly", referenceTypes: ["Group"] }),
        attr("display", "string", "The hub's name.", { mutability: "readOnly" }),
      ],
    }),
  ],
};

export const ENTERPRISE_SCHEMA: SchemaDef = {
  id: ENTERPRISE_USER,
  name: "EnterpriseUser",
  description: "Enterprise User: employee number, department, manager; cost centre, organisation, division.",
  attributes: [
    attr("employeeNumber", "string", "The HRIS employee id (the same field as externalId).", {
      caseExact: true,
    }),
    attr("department", "string", "Department."),
    attr("costCenter", "string", "Kept as the tenant segment cost-center."),
    attr("organization", "string", "Kept as the tenant segment organization."),
    attr("division", "string", "Kept as the tenant segment division."),
    attr("manager", "complex", "The line manager, who becomes the member's approver.", {
      subAttributes: [
        attr("value", "string", "The manager's id (a User of this service).", { caseExact: true }),
        attr("$ref", "reference", "The manager's User.", {
          mutability: "readOnly",
          referenceTypes: ["User"],
        }),
        attr("displayName", "string", "The manager's name.", { mutability: "readOnly" }),
      ],
    }),
  ],
};

export const GROUP_SCHEMA: SchemaDef = {
  id: CORE_GROUP,
  name: "Group",
  description: "A hub: members added join it, members removed leave it.",
  attributes: [
    { ...id, description: "The hub's id." },
    attr("displayName", "string", "The hub's name, unique in the tenant.", {
      required: true,
      uniqueness: "server",
    }),
    attr("members", "complex", "The members of the hub.", {
      multiValued: true,
      subAttributes: [
        attr("value", "string", "The member's id (a User of this service).", {
          caseExact: true,
          mutability: "immutable",
        }),
        attr("$ref", "reference", "The member's User.", { mutability: "readOnly", referenceTypes: ["User"] }),
        attr("display", "string", "The member's name.", { mutability: "readOnly" }),
        attr("type", "string", "Always User.", { canonicalValues: ["User"], mutability: "immutable" }),
      ],
    }),
  ],
};

/** Enterprise attributes kept as tenant segments: attribute → segment key. */
export const ENTERPRISE_SEGMENTS: Readonly<Record<string, string>> = {
  costCenter: "cost-center",
  organization: "organization",
  division: "division",
};

export interface TenantField {
  key: string;
  label: string;
  kind: "segment" | "role";
  visibility: "public" | "private";
  options: string[];
}

/** The tenant's segments (one value) and roles (a list), as a closed extension schema. */
export function segmentsSchema(fields: TenantField[]): SchemaDef {
  return {
    id: SEGMENTS_USER,
    name: "Segments",
    description: "The tenant's segments and roles, by field key.",
    closed: true,
    attributes: fields.map((f) =>
      attr(f.key, "string", `${f.label} (${f.kind}, ${f.visibility}).`, {
        multiValued: f.kind === "role",
        ...(f.options.length ? { canonicalValues: f.options } : {}),
      }),
    ),
  };
}

export function userSchemas(fields: TenantField[]): ResourceSchemas {
  return { core: USER_SCHEMA, extensions: [ENTERPRISE_SCHEMA, segmentsSchema(fields)] };
}

export const GROUP_SCHEMAS: ResourceSchemas = { core: GROUP_SCHEMA, extensions: [] };

export function findAttribute(
  list: readonly AttributeDef[] | undefined,
  name: string,
): AttributeDef | undefined {
  const lower = name.toLowerCase();
  return list?.find((a) => a.name.toLowerCase() === lower);
}

/** The schema a URN names among the resource's (case-insensitive); undefined when it names none. */
export function findSchema(schemas: ResourceSchemas, urn: string): SchemaDef | undefined {
  const lower = urn.toLowerCase();
  return [schemas.core, ...schemas.extensions].find((s) => s.id.toLowerCase() === lower);
}

/** Splits `urn:…:User:name.givenName` into the schema URN and the rest; plain names have no URN. */
export function splitUrn(path: string): { urn: string | null; rest: string } {
  if (!/^urn:/i.test(path)) return { urn: null, rest: path };
  const at = path.lastIndexOf(":");
  return { urn: path.slice(0, at), rest: path.slice(at + 1) };
}
