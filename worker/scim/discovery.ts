// The SCIM discovery documents (RFC 7644 §4, RFC 7643 §5–7): what this service provider supports,
// said exactly. /Schemas is per tenant: the segments extension lists the tenant's fields.
import {
  CORE_GROUP,
  CORE_USER,
  ENTERPRISE_USER,
  RESOURCE_TYPE,
  type ResourceSchemas,
  SCHEMA,
  type SchemaDef,
  SEGMENTS_USER,
  SERVICE_PROVIDER_CONFIG,
} from "./schemas.ts";

/** The most resources one list page holds (`count` above it is lowered to it). */
export const MAX_RESULTS = 200;

export function serviceProviderConfig(base: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG],
    documentationUri: `${base}/openapi.json`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "A SCIM token made with POST /v1/scim/tokens, sent as `Authorization: Bearer <token>`.",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  const type = (id: string, endpoint: string, schema: string, description: string, extensions: string[]) => ({
    schemas: [RESOURCE_TYPE],
    id,
    name: id,
    endpoint,
    description,
    schema,
    schemaExtensions: extensions.map((s) => ({ schema: s, required: false })),
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/${id}` },
  });
  return [
    type("User", "/Users", CORE_USER, "A member of the tenant.", [ENTERPRISE_USER, SEGMENTS_USER]),
    type("Group", "/Groups", CORE_GROUP, "A hub: members added join it, members removed leave it.", []),
  ];
}

export function schemaResources(base: string, users: ResourceSchemas, groups: ResourceSchemas) {
  return [users.core, ...users.extensions, groups.core].map((s) => schemaResource(s, base));
}

function schemaResource({ closed: _closed, ...schema }: SchemaDef, base: string) {
  return {
    schemas: [SCHEMA],
    ...schema,
    meta: { resourceType: "Schema", location: `${base}/Schemas/${schema.id}` },
  };
}
