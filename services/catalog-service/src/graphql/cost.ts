import {
  type ASTVisitor,
  type FieldNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  getNamedType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * How a list field multiplies the cost of what is selected under it, declared in the field's
 * `extensions.cost`: by an argument (`first`), capped at `max`, or by a fixed estimate.
 */
export interface FieldCost {
  argument?: string;
  max?: number;
  /** Used when there is no argument, or it is absent and has no default. */
  multiplier?: number;
}

function costOf(field: GraphQLField<unknown, unknown> | undefined): FieldCost | undefined {
  return (field?.extensions as { cost?: FieldCost } | undefined)?.cost;
}

/** The multiplier a field applies; a variable counts as the largest value it could take. */
function multiplier(node: FieldNode, field: GraphQLField<unknown, unknown> | undefined): number {
  const cost = costOf(field);
  if (!cost) return 1;
  if (cost.argument) {
    const arg = node.arguments?.find((a) => a.name.value === cost.argument);
    if (arg?.value.kind === Kind.INT)
      return Math.min(Number(arg.value.value), cost.max ?? Number.POSITIVE_INFINITY);
    if (arg?.value.kind === Kind.VARIABLE) return cost.max ?? cost.multiplier ?? 1;
    const fallback = field?.args.find((a) => a.name === cost.argument)?.defaultValue;
    if (typeof fallback === 'number') return Math.min(fallback, cost.max ?? Number.POSITIVE_INFINITY);
  }
  return cost.multiplier ?? 1;
}

/**
 * The estimated cost of a selection: every field costs 1, plus what is selected under it times its
 * multiplier. Static (variables count at their maximum), so it is computed once per query text.
 */
export function selectionCost(
  context: ValidationContext,
  selectionSet: SelectionSetNode | undefined,
  parent: GraphQLNamedType | undefined,
  visiting: Set<string> = new Set(),
): number {
  if (!selectionSet) return 0;
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = isObjectType(parent) ? parent.getFields()[selection.name.value] : undefined;
      const child = field ? getNamedType(field.type) : undefined;
      total +=
        1 + multiplier(selection, field) * selectionCost(context, selection.selectionSet, child, visiting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typed = selection.typeCondition
        ? context.getSchema().getType(selection.typeCondition.name.value)
        : parent;
      total += selectionCost(context, selection.selectionSet, typed ?? parent, visiting);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      // A cyclic spread is reported by graphql's own rules; counting it once more would never end.
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      const typed = context.getSchema().getType(fragment.typeCondition.name.value);
      total += selectionCost(context, fragment.selectionSet, typed ?? parent, visiting);
      visiting.delete(name);
    }
  }
  return total;
}

/** A validation rule that refuses an operation whose estimated cost exceeds `maxCost`. */
export function costLimitRule(maxCost: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const root =
        node.operation === 'query'
          ? context.getSchema().getQueryType()
          : node.operation === 'mutation'
            ? context.getSchema().getMutationType()
            : context.getSchema().getSubscriptionType();
      const cost = selectionCost(context, node.selectionSet, root ?? undefined);
      if (cost > maxCost) {
        context.reportError(
          new GraphQLError(
            `query cost ${cost} exceeds the limit of ${maxCost}; ask for fewer items (first) or fewer nested lists`,
            { nodes: [node], extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost } },
          ),
        );
      }
    },
  });
}
