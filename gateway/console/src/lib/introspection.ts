import { buildClientSchema, GraphQLSchema, IntrospectionQuery } from 'graphql';
import { gql } from './api';

/** A type reference four wrappers deep: enough for `[X!]!`, the deepest the platform's schema has. */
const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
const INPUT_VALUE = `name description type { ${TYPE_REF} } defaultValue`;

/**
 * The introspection GraphiQL needs, kept within the gateway's depth limit (the standard query nests
 * type references seven deep and is refused as too deep).
 */
export const SHALLOW_INTROSPECTION = `query ConsoleIntrospection {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types {
      kind name description
      fields(includeDeprecated: true) { name description args { ${INPUT_VALUE} } type { ${TYPE_REF} } isDeprecated deprecationReason }
      inputFields { ${INPUT_VALUE} }
      interfaces { ${TYPE_REF} }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ${TYPE_REF} }
    }
    directives { name description locations args { ${INPUT_VALUE} } }
  }
}`;

/** The platform's schema, as the signed-in caller may see it. */
export async function loadSchema(token: string): Promise<GraphQLSchema> {
  return buildClientSchema(await gql<IntrospectionQuery>(token, SHALLOW_INTROSPECTION));
}
