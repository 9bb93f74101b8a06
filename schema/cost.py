"""What a document may cost, worked out before it runs: the rows it can return.

A field that returns an object costs one for every object it may return: a to-one field
one per parent, a list its size per parent. A connection's page size is its `first` (or
`last`) as given, literally or by a variable, and `MAX_PAGE` when not given (a default is
counted at its maximum); its `edges` and `nodes` lists hold that many, and so does a list
that takes its own `first` (`SIZED_LISTS`: similar petitions). Other lists count at their
real maximum (`LIST_MAXIMA`). Scalars cost nothing: their bytes come with the row.
Fragments and aliases count like the fields they stand for, so a document asking for the
same page twice pays twice. Introspection costs one per field: its lists are the schema's,
which is small and fixed.

The walk over the document happens once per document (`CostPlan`, cached by text); each
request then only multiplies its page sizes, in microseconds.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

from app.domain.reference import FIELDS, agencies, provinces
from resolvers.pagination import MAX_PAGE

_AGENCIES = len(agencies())
LIST_MAXIMA: dict[str, int] = {
    "Query.fields": len(FIELDS),
    "Query.provinces": len(provinces()),
    "Agency.publicKeys": 10,
    "Petition.answers": 10,
    "Petition.attachments": 10,
    "Answer.attachments": 10,
    "AgencyRanking.ranked": _AGENCIES,
    "AgencyRanking.tooFewPetitions": _AGENCIES,
    "Stats.byAgency": _AGENCIES,
    "Stats.byField": len(FIELDS),
    "Stats.byProvince": len(provinces()),
    "Stats.byMonth": 120,
    "Stats.byIntakeChannel": 6,
    "QuarterlyReport.byAgency": _AGENCIES,
    "QuarterlyReport.exemplary": 5,
    "QuarterlyReport.featured": 100,
    "DelayingAgencies.mostOverdue": 5,
    "DelayingAgencies.mostTransferRequests": 5,
    "DelayingAgencies.mostEscalations": 5,
    "DelayingAgencies.mostUrged": 5,
}
"""How many objects a list that is not a page can hold, by `Type.field`: the reference
data's sizes, the report's top-5 lists, a petition's answers (one per follow-up, and a
third follow-up escalates), a petition's or an answer's attachments (PAKN_MAX_UPLOADS, 5
unless raised), the months a window of statistics covers, the intake channels."""
SIZED_LISTS: dict[str, int] = {"Petition.similar": 20, "Query.similarPetitions": 20}
"""Lists that hold at most their own `first`, by `Type.field`, with their largest `first`
(counted when it is not given)."""
OTHER_LISTS = 100
"""Any other list (a payload's userErrors, say) counts at most this many."""
PAGE_ARGUMENTS = ("first", "last")
INTROSPECTION = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class PageSize:
    """A page size: a literal, or a variable with what counts when it is not given."""

    literal: int | None = None
    variable: str | None = None
    unset: int = MAX_PAGE
    cap: int | None = None
    """A sized list's maximum: a larger `first` is refused when it runs, so it counts this."""

    def value(self, variables: dict[str, Any]) -> int:
        size = self._value(variables)
        return size if self.cap is None else min(size, self.cap)

    def _value(self, variables: dict[str, Any]) -> int:
        if self.literal is not None:
            return self.literal
        given = variables.get(self.variable) if self.variable else None
        if isinstance(given, int) and not isinstance(given, bool):
            return max(given, 0)
        return self.unset


@dataclass(frozen=True)
class CostPlan:
    """The terms of a document's cost: how many fields multiply out to the same sizes."""

    terms: tuple[tuple[int, tuple[PageSize, ...]], ...]

    def cost(self, variables: dict[str, Any] | None) -> int:
        given = variables or {}
        return sum(
            count * math.prod(size.value(given) for size in sizes) for count, sizes in self.terms
        )


class CostEstimator:
    """Cost plans for the documents of one schema, the most recent `capacity` kept."""

    def __init__(self, schema: GraphQLSchema, capacity: int = 512) -> None:
        self.schema = schema
        self.capacity = capacity
        self._plans: OrderedDict[tuple[str, str | None], CostPlan] = OrderedDict()

    def plan(self, query: str, document: DocumentNode, operation_name: str | None) -> CostPlan:
        key = (query, operation_name)
        found = self._plans.get(key)
        if found is not None:
            self._plans.move_to_end(key)
            return found
        plan = plan_cost(self.schema, document, operation_name)
        self._plans[key] = plan
        if len(self._plans) > self.capacity:
            self._plans.popitem(last=False)
        return plan


def plan_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> CostPlan:
    """The cost plan of the operation a request runs (a valid document: validation runs
    first, so fragments exist and do not cycle)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if not chosen:
        return CostPlan(())
    operation = chosen[0]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    unset = {
        definition.variable.name.value: (
            int(definition.default_value.value)
            if isinstance(definition.default_value, IntValueNode)
            else MAX_PAGE
        )
        for definition in operation.variable_definitions or ()
    }
    root = schema.get_root_type(operation.operation)
    walk = _Walk(schema, fragments, unset)
    if root is not None:
        walk.selections(operation.selection_set, root, (), None)
    return CostPlan(tuple((count, sizes) for sizes, count in walk.terms.items()))


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        unset: dict[str, int],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.unset = unset
        self.terms: Counter[tuple[PageSize, ...]] = Counter()

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: Any,
        sizes: tuple[PageSize, ...],
        page: PageSize | None,
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent, sizes, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.selections(selection.selection_set, target or parent, sizes, page)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    self.selections(fragment.selection_set, target or parent, sizes, page)

    def field(
        self, node: FieldNode, parent: Any, sizes: tuple[PageSize, ...], page: PageSize | None
    ) -> None:
        name = node.name.value
        if name in INTROSPECTION:
            self.terms[sizes] += _count_fields(node)
            return
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None:  # __typename, or a field of another member of a union
            return
        returned = definition.type
        if isinstance(returned, GraphQLNonNull):
            returned = returned.of_type
        target = get_named_type(returned)
        if not is_composite_type(target):
            return
        if isinstance(returned, GraphQLList):
            key = f"{parent.name}.{name}"
            if page is not None and name in ("edges", "nodes"):
                size = page
            elif key in SIZED_LISTS:
                size = self._page_size(node, SIZED_LISTS[key])
            else:
                size = PageSize(literal=LIST_MAXIMA.get(key, OTHER_LISTS))
            sizes = (*sizes, size)
        self.terms[sizes] += 1
        if node.selection_set is not None:
            inner = self._page_size(node) if _takes_page(definition) else None
            self.selections(node.selection_set, target, sizes, inner)

    def _page_size(self, node: FieldNode, sized: int | None = None) -> PageSize:
        """The page size `node` asks for; `sized`, a sized list's maximum."""
        maximum = MAX_PAGE if sized is None else sized
        for argument in node.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return PageSize(literal=int(value.value), cap=sized)
            if isinstance(value, VariableNode):
                variable = value.name.value
                unset = self.unset.get(variable, maximum)
                return PageSize(variable=variable, unset=unset, cap=sized)
        return PageSize(literal=maximum)


def _takes_page(definition: Any) -> bool:
    return any(argument in definition.args for argument in PAGE_ARGUMENTS)


def _count_fields(node: FieldNode) -> int:
    if node.selection_set is None:
        return 1
    return 1 + sum(
        _count_fields(child)
        for child in node.selection_set.selections
        if isinstance(child, FieldNode)
    )
