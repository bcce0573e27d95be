"""What ``${name}`` means where an expression is evaluated, in a questionnaire with repeats.

The contract the expression functions rely on (sum, count, position, indexed-repeat):

- inside an instance of a repeat, a question of that instance is its value in this instance;
- a question of a repeat inside it is the list of its values in this instance's own instances;
- any other name means what it means in the enclosing scope;
- at the top level, a question inside a repeat is the list of its values in every instance (instances
  of nested repeats flattened in document order), and ``${repeat}`` the list of its instances;
- ``Scope.position`` is the instance's 1-based index (None at the top level), for ``position(..)``.

Several values are handed over as the expression language's ``Nodeset`` where the engine has one
(its functions of several values), else as a list; ``evaluate_in`` passes the position and every
instance's values (``indexed-repeat``) in the expression ``Context`` where the engine takes one.
"""

from collections.abc import Iterator
from collections.abc import Mapping
from functools import cached_property

from .definition import FormDefinition
from .expression_attachments import choice_labels
from .expression_instances import instances_for
from .expressions import evaluate

try:  # the expression functions of several values: sum, count, position, indexed-repeat
    from .expression_functions import Context
    from .expression_values import Nodeset
except ImportError:  # an expression language without them reads lists
    Context = None
    Nodeset = list


class RepeatIndex:
    """Where each name lives: the repeat that holds it directly (None at the top level)."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.owner: dict[str, str | None] = {}
        self.ancestors: dict[str | None, tuple[str, ...]] = {None: ()}
        for question, parents in form.walk_all():
            repeats = tuple(parent.name for parent in parents if parent.type == "repeat")
            self.owner[question.name] = repeats[-1] if repeats else None
            if question.type == "repeat":
                self.ancestors[question.name] = (*repeats, question.name)

    @cached_property
    def tables(self) -> dict:
        """What pulldata(), jr:choice-name() and instance() read, as the flat questionnaire's context holds it."""
        return {"attachments": self.form.attachments, "choice_labels": choice_labels(self.form),
                "instances": instances_for(self.form)}

    def chain(self, scope_repeat: str | None, owner: str | None) -> tuple[str, ...] | None:
        """The repeats from inside scope_repeat down to owner, or None where owner is not inside it."""
        path = self.ancestors[owner]
        if scope_repeat is None:
            return path
        if scope_repeat in path:
            return path[path.index(scope_repeat) + 1:]
        return None


class Scope(Mapping):
    """Answers as seen from one instance of a repeat (or from the top level), read-only."""

    def __init__(self, index: RepeatIndex, values: dict, *, repeat: str | None = None,
                 parent: "Scope | None" = None, position: int | None = None) -> None:
        self.index = index
        self.values = values
        self.repeat = repeat
        self.parent = parent
        self.position = position

    def __getitem__(self, name: str):
        if name not in self.index.owner:
            raise KeyError(name)
        owner = self.index.owner[name]
        scope = self
        while scope is not None:
            if owner == scope.repeat:
                value = scope.values.get(name)
                return Nodeset(value) if name in self.index.ancestors and isinstance(value, list) else value
            chain = self.index.chain(scope.repeat, owner)
            if chain is not None:
                return _collect(scope.values, chain, name)
            scope = scope.parent
        return None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(self.index.owner)

    def inside(self, repeat: str, values: dict, position: int) -> "Scope":
        """The scope of one instance of a repeat that this scope holds."""
        return Scope(self.index, values, repeat=repeat, parent=self, position=position)

    def every(self, name: str):
        """A question's values in every instance, read from the top (what indexed-repeat picks from)."""
        top = self
        while top.parent is not None:
            top = top.parent
        return top[name] if name in self.index.owner else None


def evaluate_in(expression: str, scope: Scope, *, today: str, current=None):
    """Evaluate where the scope is: its answers, and its position among the instances of its repeat."""
    if Context is None:
        return evaluate(expression, scope, current=current, today=today)
    context = Context(today=today, position=scope.position or 1, values=scope.every, **scope.index.tables)
    return evaluate(expression, scope, current=current, today=today, context=context)


def _collect(values: dict, chain: tuple[str, ...], name: str) -> list:
    """The values of name in every instance along the chain of repeats, flattened in document order."""
    instances = values.get(chain[0])
    if not isinstance(instances, list):
        return Nodeset(())
    if len(chain) == 1:
        return Nodeset(instance.get(name) for instance in instances)
    return Nodeset(value for instance in instances for value in _collect(instance, chain[1:], name))
