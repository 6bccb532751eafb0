"""Pytree utilities for jaxlike (API-compatible with ``jax.tree_util``).

A *pytree* is a nested structure of registered container nodes (tuple, list,
dict, None, namedtuple, OrderedDict, defaultdict, ``Partial`` and any
user-registered type) whose non-container elements are *leaves*.  Anything
whose type is not registered is a leaf (numpy arrays, Python scalars, ...).

Implementation notes
--------------------
The structure of a tree is encoded as a nested tuple ("node"):

* ``_LEAF`` (a sentinel) for a leaf position, or
* ``(spec, aux, kids)`` for a container node, where ``spec`` is the
  ``_NodeSpec`` registered for the node's type (one object per type, compared
  by identity), ``aux`` the hashable auxiliary data (dict keys, namedtuple
  type, custom aux data...) and ``kids`` a tuple of child nodes.

That nested tuple is built during flattening at no extra cost and is directly
the equality key of :class:`PyTreeDef`; its hash is computed once and cached.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import operator
from typing import Any, Callable, Hashable, Iterable, Sequence

__all__ = [
    "PyTreeDef",
    "SequenceKey",
    "DictKey",
    "GetAttrKey",
    "FlattenedIndexKey",
    "KeyEntry",
    "KeyPath",
    "Partial",
    "all_leaves",
    "build_tree",
    "flatten_one_level",
    "is_tree_node",
    "keystr",
    "register_dataclass",
    "register_pytree_node",
    "register_pytree_node_class",
    "register_pytree_with_keys",
    "register_pytree_with_keys_class",
    "register_static",
    "tree_all",
    "tree_flatten",
    "tree_flatten_with_path",
    "tree_leaves",
    "tree_leaves_with_path",
    "tree_map",
    "tree_map_with_path",
    "tree_reduce",
    "tree_structure",
    "tree_transpose",
    "tree_unflatten",
    "treedef_children",
    "treedef_is_leaf",
    "treedef_tuple",
]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


class _LeafMarker:
    __slots__ = ()

    def __repr__(self) -> str:
        return "*"

    def __reduce__(self):
        return "_LEAF"


_LEAF: Any = _LeafMarker()


# ---------------------------------------------------------------------------
# Key path entries
# ---------------------------------------------------------------------------


class SequenceKey:
    """Key of a child of a sequence node (tuple/list): ``[idx]``."""

    __slots__ = ("idx",)
    __match_args__ = ("idx",)

    def __init__(self, idx: int):
        self.idx = idx

    def __str__(self) -> str:
        return f"[{self.idx!r}]"

    def __repr__(self) -> str:
        return f"SequenceKey(idx={self.idx!r})"

    def __eq__(self, other):
        if not isinstance(other, SequenceKey):
            return NotImplemented
        return self.idx == other.idx

    def __hash__(self) -> int:
        return hash((SequenceKey, self.idx))


class DictKey:
    """Key of a child of a mapping node: ``[key]``."""

    __slots__ = ("key",)
    __match_args__ = ("key",)

    def __init__(self, key: Hashable):
        self.key = key

    def __str__(self) -> str:
        return f"[{self.key!r}]"

    def __repr__(self) -> str:
        return f"DictKey(key={self.key!r})"

    def __eq__(self, other):
        if not isinstance(other, DictKey):
            return NotImplemented
        return self.key == other.key

    def __hash__(self) -> int:
        return hash((DictKey, self.key))


class GetAttrKey:
    """Key of an attribute child (namedtuple field, dataclass field): ``.name``."""

    __slots__ = ("name",)
    __match_args__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return f".{self.name}"

    def __repr__(self) -> str:
        return f"GetAttrKey(name={self.name!r})"

    def __eq__(self, other):
        if not isinstance(other, GetAttrKey):
            return NotImplemented
        return self.name == other.name

    def __hash__(self) -> int:
        return hash((GetAttrKey, self.name))


class FlattenedIndexKey:
    """Key of the i-th child of a custom node registered without keys."""

    __slots__ = ("key",)
    __match_args__ = ("key",)

    def __init__(self, key: int):
        self.key = key

    def __str__(self) -> str:
        return f"[<flat index {self.key}>]"

    def __repr__(self) -> str:
        return f"FlattenedIndexKey(key={self.key!r})"

    def __eq__(self, other):
        if not isinstance(other, FlattenedIndexKey):
            return NotImplemented
        return self.key == other.key

    def __hash__(self) -> int:
        return hash((FlattenedIndexKey, self.key))


KeyEntry = Any
KeyPath = tuple


def _simple_key_str(k) -> str:
    if isinstance(k, SequenceKey):
        return str(k.idx)
    if isinstance(k, DictKey):
        return str(k.key)
    if isinstance(k, GetAttrKey):
        return str(k.name)
    if isinstance(k, FlattenedIndexKey):
        return str(k.key)
    return str(k)


def keystr(keys, *, simple: bool = False, separator: str = "") -> str:
    """Pretty-print a key path, e.g. ``"['a'][0].x"``.

    With ``simple=True`` the entries are rendered without brackets/quotes
    (``a/0/x`` with ``separator='/'``).
    """
    fn = _simple_key_str if simple else str
    return separator.join([fn(k) for k in keys])


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------


class _NodeSpec:
    """How to flatten / unflatten one node type."""

    __slots__ = ("type", "kind", "flatten", "unflatten", "flatten_with_keys", "has_keys")

    def __init__(self, type_, kind, flatten, unflatten, flatten_with_keys=None):
        self.type = type_
        self.kind = kind  # 'tuple' | 'list' | 'dict' | 'none' | 'namedtuple' | 'custom'
        self.flatten = flatten
        self.unflatten = unflatten
        self.has_keys = flatten_with_keys is not None
        if flatten_with_keys is None:

            def flatten_with_keys(x, _flatten=flatten):
                children, aux = _flatten(x)
                return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux

        self.flatten_with_keys = flatten_with_keys

    def __repr__(self) -> str:
        return f"_NodeSpec({self.type.__name__})"

    def __reduce__(self):
        # Specs are per-type singletons; pickle by reference to the type.
        return (_spec_for_type, (self.type,))


def _spec_for_type(t):
    spec = _dispatch.get(t)
    if spec is None:
        if issubclass(t, tuple) and hasattr(t, "_fields"):
            return _namedtuple_spec(t)
        raise ValueError(f"Type {t} is not registered as a pytree node.")
    return spec


def _sorted_keys(d) -> list:
    try:
        return sorted(d)
    except TypeError as e:
        raise ValueError(
            f"pytree dict keys must be sortable (dict children are ordered by sorted key); "
            f"could not sort keys {list(d)!r}: {e}"
        ) from None


def _dict_flatten(d):
    keys = _sorted_keys(d)
    return [d[k] for k in keys], tuple(keys)


def _dict_flatten_with_keys(d):
    keys = _sorted_keys(d)
    return [(DictKey(k), d[k]) for k in keys], tuple(keys)


def _seq_with_keys(x):
    return [(SequenceKey(i), c) for i, c in enumerate(x)], None


_TUPLE_SPEC = _NodeSpec(tuple, "tuple", lambda x: (x, None), lambda aux, ch: tuple(ch), _seq_with_keys)
_LIST_SPEC = _NodeSpec(list, "list", lambda x: (x, None), lambda aux, ch: list(ch), _seq_with_keys)
_DICT_SPEC = _NodeSpec(dict, "dict", _dict_flatten, lambda aux, ch: dict(zip(aux, ch)), _dict_flatten_with_keys)
_NONE_SPEC = _NodeSpec(type(None), "none", lambda x: ((), None), lambda aux, ch: None, lambda x: ((), None))


def _odict_flatten(d):
    return list(d.values()), tuple(d.keys())


def _odict_flatten_with_keys(d):
    return [(DictKey(k), v) for k, v in d.items()], tuple(d.keys())


def _ddict_flatten(d):
    keys = _sorted_keys(d)
    return [d[k] for k in keys], (d.default_factory, tuple(keys))


def _ddict_flatten_with_keys(d):
    keys = _sorted_keys(d)
    return [(DictKey(k), d[k]) for k in keys], (d.default_factory, tuple(keys))


_ODICT_SPEC = _NodeSpec(
    collections.OrderedDict,
    "custom",
    _odict_flatten,
    lambda aux, ch: collections.OrderedDict(zip(aux, ch)),
    _odict_flatten_with_keys,
)
_DDICT_SPEC = _NodeSpec(
    collections.defaultdict,
    "custom",
    _ddict_flatten,
    lambda aux, ch: collections.defaultdict(aux[0], zip(aux[1], ch)),
    _ddict_flatten_with_keys,
)

# Explicitly registered node types.
_registry: dict = {
    tuple: _TUPLE_SPEC,
    list: _LIST_SPEC,
    dict: _DICT_SPEC,
    type(None): _NONE_SPEC,
    collections.OrderedDict: _ODICT_SPEC,
    collections.defaultdict: _DDICT_SPEC,
}
# Lookup table used by the traversals: the registry plus namedtuple types
# discovered on the fly (cached so later lookups are a single dict probe).
_dispatch: dict = dict(_registry)

_NONE_NODE = (_NONE_SPEC, None, ())


def _namedtuple_spec(t):
    spec = _dispatch.get(t)
    if spec is not None:
        return spec
    fields = tuple(t._fields)

    def flatten(x):
        return x, t

    def unflatten(aux, ch):
        return aux(*ch)

    def flatten_with_keys(x):
        return [(GetAttrKey(f), c) for f, c in zip(fields, x)], t

    spec = _NodeSpec(t, "namedtuple", flatten, unflatten, flatten_with_keys)
    _dispatch[t] = spec
    return spec


def _lookup(x):
    """Node spec for ``x`` or None if ``x`` is a leaf."""
    t = type(x)
    spec = _dispatch.get(t)
    if spec is None and isinstance(x, tuple) and hasattr(t, "_fields"):
        spec = _namedtuple_spec(t)
    return spec


def register_pytree_node(
    nodetype: type,
    flatten_func: Callable,
    unflatten_func: Callable,
    flatten_with_keys_func: Callable | None = None,
) -> None:
    """Register ``nodetype`` as a pytree node.

    ``flatten_func(x) -> (children, aux_data)``; ``unflatten_func(aux_data,
    children) -> x``; optional ``flatten_with_keys_func(x) -> (((key, child),
    ...), aux_data)`` provides key paths (default: ``FlattenedIndexKey``).
    ``aux_data`` must be hashable and comparable with ``==``.
    """
    if not isinstance(nodetype, type):
        raise TypeError(f"register_pytree_node: expected a type, got {nodetype!r}.")
    if nodetype in _registry:
        raise ValueError(f"Duplicate custom PyTreeDef type registration for {nodetype}.")
    spec = _NodeSpec(nodetype, "custom", flatten_func, unflatten_func, flatten_with_keys_func)
    _registry[nodetype] = spec
    _dispatch[nodetype] = spec


def register_pytree_with_keys(
    nodetype: type,
    flatten_with_keys: Callable,
    unflatten_func: Callable,
    flatten_func: Callable | None = None,
) -> None:
    """Register ``nodetype`` with a key-aware flatten function."""
    if flatten_func is None:

        def flatten_func(x):
            pairs, aux = flatten_with_keys(x)
            return [c for _, c in pairs], aux

    register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_node_class(cls):
    """Class decorator: register using ``cls.tree_flatten`` / ``cls.tree_unflatten``."""
    register_pytree_node(cls, operator.methodcaller("tree_flatten"), cls.tree_unflatten)
    return cls


def register_pytree_with_keys_class(cls):
    """Class decorator using ``tree_flatten_with_keys`` (and ``tree_flatten`` if defined)."""
    flatten_func = operator.methodcaller("tree_flatten") if hasattr(cls, "tree_flatten") else None
    register_pytree_with_keys(
        cls, operator.methodcaller("tree_flatten_with_keys"), cls.tree_unflatten, flatten_func
    )
    return cls


def register_static(cls):
    """Register ``cls`` as a node with no children: the value itself is aux data.

    Instances must be hashable and comparable with ``==``.
    """
    register_pytree_node(cls, lambda x: ((), x), lambda aux, _: aux)
    return cls


def register_dataclass(
    nodetype: type,
    data_fields: Sequence[str] | None = None,
    meta_fields: Sequence[str] | None = None,
    drop_fields: Sequence[str] = (),
):
    """Register a dataclass-like type whose ``data_fields`` are children and
    whose ``meta_fields`` are static aux data.

    When both field lists are omitted, ``nodetype`` must be a dataclass: its
    ``init=True`` fields are used, those declared with
    ``field(metadata=dict(static=True))`` being meta fields.  Reconstruction
    calls ``nodetype(**fields)``.  Returns ``nodetype`` (usable as decorator).
    """
    if (data_fields is None) != (meta_fields is None):
        raise TypeError(
            "register_dataclass: data_fields and meta_fields must both be given "
            f"or both be omitted; got data_fields={data_fields!r}, meta_fields={meta_fields!r}."
        )
    is_dc = dataclasses.is_dataclass(nodetype)
    if data_fields is None:
        if not is_dc:
            raise TypeError(
                "register_dataclass: data_fields and meta_fields are required when "
                f"nodetype is not a dataclass; got nodetype={nodetype!r}."
            )
        drop = set(drop_fields)
        data_fields, meta_fields = [], []
        for f in dataclasses.fields(nodetype):
            if not f.init or f.name in drop:
                continue
            (meta_fields if f.metadata.get("static", False) else data_fields).append(f.name)
    data_fields = tuple(data_fields)
    meta_fields = tuple(meta_fields)
    if is_dc:
        init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init} - set(drop_fields)
        given = set(data_fields) | set(meta_fields)
        if given != init_fields:
            msg = (
                "register_dataclass: data_fields and meta_fields must cover exactly the "
                "dataclass fields with init=True (minus drop_fields)."
            )
            if init_fields - given:
                msg += f" Missing fields: {sorted(init_fields - given)} (add them to drop_fields to ignore them)."
            if given - init_fields:
                msg += f" Unexpected fields: {sorted(given - init_fields)}."
            raise ValueError(msg)
    overlap = set(data_fields) & set(meta_fields)
    if overlap:
        raise ValueError(f"register_dataclass: data_fields and meta_fields overlap: {sorted(overlap)}.")

    data_keys = tuple(GetAttrKey(n) for n in data_fields)

    def flatten(x):
        return (
            tuple([getattr(x, n) for n in data_fields]),
            tuple([getattr(x, n) for n in meta_fields]),
        )

    def flatten_with_keys(x):
        return (
            [(k, getattr(x, n)) for k, n in zip(data_keys, data_fields)],
            tuple([getattr(x, n) for n in meta_fields]),
        )

    def unflatten(meta, data):
        kwargs = dict(zip(meta_fields, meta))
        kwargs.update(zip(data_fields, data))
        return nodetype(**kwargs)

    register_pytree_node(nodetype, flatten, unflatten, flatten_with_keys)
    return nodetype


def is_tree_node(typ: type) -> bool:
    """Whether values of type ``typ`` are pytree nodes (not leaves)."""
    return typ in _dispatch or (issubclass(typ, tuple) and hasattr(typ, "_fields"))


def flatten_one_level(tree) -> tuple:
    """Return ``(children, aux_data)`` of the top node; ValueError for a leaf."""
    spec = _lookup(tree)
    if spec is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    children, aux = spec.flatten(tree)
    return list(children), aux


# ---------------------------------------------------------------------------
# Traversals
# ---------------------------------------------------------------------------


# Shared child tuples for all-leaf nodes (also makes treedef equality of such
# nodes an identity check).
_N_LEAF_KIDS = 32
_LEAF_KIDS = tuple((_LEAF,) * n for n in range(_N_LEAF_KIDS))


def _flatten(x, leaves):
    dispatch = _dispatch
    t = type(x)
    spec = dispatch.get(t)
    if spec is None:
        if isinstance(x, tuple) and hasattr(t, "_fields"):
            spec = _namedtuple_spec(t)
        else:
            leaves.append(x)
            return _LEAF
    if spec is _TUPLE_SPEC or spec is _LIST_SPEC:
        for c in x:
            if type(c) in dispatch or isinstance(c, tuple):
                break
        else:  # fast path: every child is a leaf
            leaves.extend(x)
            n = len(x)
            return (spec, None, _LEAF_KIDS[n] if n < _N_LEAF_KIDS else (_LEAF,) * n)
        kids = []
        for c in x:
            if type(c) in dispatch or isinstance(c, tuple):
                kids.append(_flatten(c, leaves))
            else:
                leaves.append(c)
                kids.append(_LEAF)
        return (spec, None, tuple(kids))
    if spec is _DICT_SPEC:
        keys = _sorted_keys(x)
        kids = []
        for k in keys:
            c = x[k]
            if type(c) in dispatch or isinstance(c, tuple):
                kids.append(_flatten(c, leaves))
            else:
                leaves.append(c)
                kids.append(_LEAF)
        return (spec, tuple(keys), tuple(kids))
    if spec is _NONE_SPEC:
        return _NONE_NODE
    children, aux = spec.flatten(x)
    return (spec, aux, tuple([_flatten(c, leaves) for c in children]))


def _flatten_is_leaf(x, leaves, is_leaf):
    if is_leaf(x):
        leaves.append(x)
        return _LEAF
    spec = _lookup(x)
    if spec is None:
        leaves.append(x)
        return _LEAF
    if spec is _NONE_SPEC:
        return _NONE_NODE
    children, aux = spec.flatten(x)
    return (spec, aux, tuple([_flatten_is_leaf(c, leaves, is_leaf) for c in children]))


def _leaves(x, out):
    dispatch = _dispatch
    t = type(x)
    spec = dispatch.get(t)
    if spec is None:
        if isinstance(x, tuple) and hasattr(t, "_fields"):
            spec = _namedtuple_spec(t)
        else:
            out.append(x)
            return
    if spec is _TUPLE_SPEC or spec is _LIST_SPEC:
        children = x
    elif spec is _DICT_SPEC:
        children = [x[k] for k in _sorted_keys(x)]
    elif spec is _NONE_SPEC:
        return
    else:
        children = spec.flatten(x)[0]
    for c in children:
        if type(c) in dispatch or isinstance(c, tuple):
            _leaves(c, out)
        else:
            out.append(c)


def _flatten_with_path(x, path, out, is_leaf, takes_path):
    if is_leaf is not None and (is_leaf(path, x) if takes_path else is_leaf(x)):
        out.append((path, x))
        return _LEAF
    spec = _lookup(x)
    if spec is None:
        out.append((path, x))
        return _LEAF
    if spec is _NONE_SPEC:
        return _NONE_NODE
    pairs, aux = spec.flatten_with_keys(x)
    return (
        spec,
        aux,
        tuple([_flatten_with_path(c, path + (k,), out, is_leaf, takes_path) for k, c in pairs]),
    )


def _build_node(spec, aux, ch):
    if spec is _TUPLE_SPEC:
        return tuple(ch)
    if spec is _LIST_SPEC:
        return ch
    if spec is _DICT_SPEC:
        return dict(zip(aux, ch))
    if spec is _NONE_SPEC:
        return None
    return spec.unflatten(aux, tuple(ch))


def _unflatten(node, nxt):
    spec, aux, kids = node
    ch = [nxt() if k is _LEAF else _unflatten(k, nxt) for k in kids]
    if spec is _TUPLE_SPEC:
        return tuple(ch)
    if spec is _LIST_SPEC:
        return ch
    if spec is _DICT_SPEC:
        return dict(zip(aux, ch))
    if spec is _NONE_SPEC:
        return None
    return spec.unflatten(aux, tuple(ch))


def _count_leaves(node) -> int:
    if node is _LEAF:
        return 1
    return sum([_count_leaves(k) for k in node[2]])


def _count_nodes(node) -> int:
    if node is _LEAF:
        return 1
    return 1 + sum([_count_nodes(k) for k in node[2]])


def _node_str(node) -> str:
    if node is _LEAF:
        return "*"
    spec, aux, kids = node
    parts = [_node_str(k) for k in kids]
    if spec is _TUPLE_SPEC:
        if len(parts) == 1:
            return f"({parts[0]},)"
        return "(" + ", ".join(parts) + ")"
    if spec is _LIST_SPEC:
        return "[" + ", ".join(parts) + "]"
    if spec is _DICT_SPEC:
        return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(aux, parts)) + "}"
    if spec is _NONE_SPEC:
        return "None"
    if spec.kind == "namedtuple":
        return f"CustomNode(namedtuple[{spec.type.__name__}], [{', '.join(parts)}])"
    return f"CustomNode({spec.type.__name__}[{aux}], [{', '.join(parts)}])"


def _node_kind_str(node) -> str:
    """Short human description of a node's type, for error messages."""
    if node is _LEAF:
        return "leaf"
    spec = node[0]
    if spec is _NONE_SPEC:
        return "None"
    if spec.kind == "namedtuple":
        return f"namedtuple {spec.type.__name__}"
    return spec.type.__name__


def _short_repr(x, limit: int = 200) -> str:
    try:
        r = repr(x)
    except Exception:  # pragma: no cover - defensive
        r = f"<{type(x).__name__} object>"
    if len(r) > limit:
        r = r[: limit - 3] + "..."
    return r


def _child_key(spec, x, aux, i):
    try:
        if spec is _TUPLE_SPEC or spec is _LIST_SPEC:
            return SequenceKey(i)
        if spec is _DICT_SPEC:
            return DictKey(aux[i])
        pairs, _ = spec.flatten_with_keys(x)
        return list(pairs)[i][0]
    except Exception:  # pragma: no cover - defensive
        return FlattenedIndexKey(i)


class _Mismatch(Exception):
    """Internal: structure mismatch found by ``_flatten_up_to``."""

    def __init__(self, node, found, reason):
        super().__init__(reason)
        self.node = node
        self.found = found
        self.reason = reason
        self.rpath = []  # keys from the mismatch up to the root (reversed)

    def describe(self) -> str:
        path = keystr(tuple(reversed(self.rpath)))
        return (
            f"mismatch at key path {path or '<root>'}: {self.reason}.\n"
            f"  expected subtree structure: PyTreeDef({_node_str(self.node)})\n"
            f"  found subtree of type {type(self.found).__name__}: {_short_repr(self.found)}"
        )


def _flatten_up_to(node, x, out):
    spec, aux, kids = node
    if spec is _TUPLE_SPEC or spec is _LIST_SPEC:
        if type(x) is not spec.type:
            raise _Mismatch(node, x, f"expected a {spec.type.__name__}, found a {type(x).__name__}")
        if len(x) != len(kids):
            raise _Mismatch(
                node,
                x,
                f"expected a {spec.type.__name__} of length {len(kids)}, found one of length {len(x)}",
            )
        children = x
    elif spec is _DICT_SPEC:
        if type(x) is not dict:
            raise _Mismatch(node, x, f"expected a dict, found a {type(x).__name__}")
        try:
            if len(x) != len(aux):
                raise KeyError
            children = [x[k] for k in aux]
        except KeyError:
            raise _Mismatch(
                node, x, f"dict keys differ: expected keys {list(aux)!r}, found keys {list(x)!r}"
            ) from None
    elif spec is _NONE_SPEC:
        if x is not None:
            raise _Mismatch(node, x, f"expected None, found a {type(x).__name__}")
        return
    else:
        if type(x) is not spec.type:
            raise _Mismatch(
                node, x, f"expected a {_node_kind_str(node)}, found a {type(x).__name__}"
            )
        children, aux2 = spec.flatten(x)
        if aux2 is not aux and aux2 != aux:
            raise _Mismatch(
                node,
                x,
                f"node data (aux) of {_node_kind_str(node)} differs: expected {aux!r}, found {aux2!r}",
            )
        children = tuple(children)
        if len(children) != len(kids):
            raise _Mismatch(
                node,
                x,
                f"expected {len(kids)} children for {_node_kind_str(node)}, found {len(children)}",
            )
    i = 0
    try:
        for i, k in enumerate(kids):
            if k is _LEAF:
                out.append(children[i])
            else:
                _flatten_up_to(k, children[i], out)
    except _Mismatch as e:
        e.rpath.append(_child_key(spec, x, aux, i))
        raise


def _new_treedef(node, num_leaves):
    td = _object_new(PyTreeDef)
    td._node = node
    td._num_leaves = num_leaves
    td._hash = None
    return td


_object_new = object.__new__


# ---------------------------------------------------------------------------
# PyTreeDef
# ---------------------------------------------------------------------------


class PyTreeDef:
    """Immutable description of a pytree's structure (without its leaves).

    Hashable and comparable with ``==``: two treedefs are equal iff they have
    the same node types, the same aux data and the same shape.
    """

    __slots__ = ("_node", "_num_leaves", "_hash")

    def __init__(self, *args, **kwargs):
        raise TypeError("PyTreeDef objects are created by tree_flatten / tree_structure.")

    # -- basic properties -------------------------------------------------
    @property
    def num_leaves(self) -> int:
        return self._num_leaves

    @property
    def num_nodes(self) -> int:
        return _count_nodes(self._node)

    def children(self) -> list:
        node = self._node
        if node is _LEAF:
            return []
        return [_new_treedef(k, _count_leaves(k)) for k in node[2]]

    def node_data(self):
        """``(type, aux_data)`` of the root node, or None for a leaf."""
        node = self._node
        if node is _LEAF:
            return None
        return (node[0].type, node[1])

    # -- (un)flattening ---------------------------------------------------
    def unflatten(self, leaves: Iterable):
        if type(leaves) is not list and type(leaves) is not tuple:
            leaves = list(leaves)
        n = len(leaves)
        if n != self._num_leaves:
            if n < self._num_leaves:
                raise ValueError(
                    f"Too few leaves for {self!r}; expected {self._num_leaves}, got {n}."
                )
            raise ValueError(f"Too many leaves for {self!r}; expected {self._num_leaves}, got {n}.")
        node = self._node
        if node is _LEAF:
            return leaves[0]
        return _unflatten(node, iter(leaves).__next__)

    def flatten_up_to(self, tree) -> list:
        """Flatten ``tree`` up to this structure: each leaf position of
        ``self`` receives the whole corresponding subtree of ``tree``."""
        out: list = []
        node = self._node
        if node is _LEAF:
            return [tree]
        try:
            _flatten_up_to(node, tree, out)
        except _Mismatch as e:
            raise ValueError(
                f"flatten_up_to: tree does not match the structure {self!r}; {e.describe()}"
            ) from None
        return out

    def from_iterable_tree(self, xs):
        """Build a pytree from nested iterables of children (see build_tree)."""
        return _build_from_iterables(self._node, xs)

    def compose(self, inner: "PyTreeDef") -> "PyTreeDef":
        """Treedef obtained by replacing every leaf of ``self`` by ``inner``."""
        inner_node = inner._node

        def sub(node):
            if node is _LEAF:
                return inner_node
            spec, aux, kids = node
            return (spec, aux, tuple([sub(k) for k in kids]))

        return _new_treedef(sub(self._node), self._num_leaves * inner._num_leaves)

    # -- equality / hashing -----------------------------------------------
    def __eq__(self, other):
        if not isinstance(other, PyTreeDef):
            return NotImplemented
        a, b = self._node, other._node
        if a is b:
            return True
        if self._num_leaves != other._num_leaves:
            return False
        ha, hb = self._hash, other._hash
        if ha is not None and hb is not None and ha != hb:
            return False
        return a == b

    def __ne__(self, other):
        r = self.__eq__(other)
        if r is NotImplemented:
            return r
        return not r

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = self._hash = hash(self._node)
        return h

    def __repr__(self) -> str:
        return f"PyTreeDef({_node_str(self._node)})"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (_new_treedef, (self._node, self._num_leaves))


def _build_from_iterables(node, xs):
    if node is _LEAF:
        return xs
    spec, aux, kids = node
    try:
        items = list(xs)
    except TypeError:
        raise ValueError(
            f"build_tree: expected an iterable of {len(kids)} children for node "
            f"{_node_str(node)}, got {_short_repr(xs)}."
        ) from None
    if len(items) != len(kids):
        raise ValueError(
            f"build_tree: node {_node_str(node)} has {len(kids)} children, "
            f"but {len(items)} were given: {_short_repr(xs)}."
        )
    ch = [_build_from_iterables(k, c) for k, c in zip(kids, items)]
    return _build_node(spec, aux, ch)


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def tree_flatten(tree, is_leaf: Callable[[Any], bool] | None = None):
    """Flatten ``tree`` into ``(leaves, treedef)``."""
    leaves: list = []
    if is_leaf is None:
        node = _flatten(tree, leaves)
    else:
        node = _flatten_is_leaf(tree, leaves, is_leaf)
    td = _object_new(PyTreeDef)
    td._node = node
    td._num_leaves = len(leaves)
    td._hash = None
    return leaves, td


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable):
    """Rebuild a pytree with structure ``treedef`` from ``leaves``."""
    return treedef.unflatten(leaves)


def tree_leaves(tree, is_leaf: Callable[[Any], bool] | None = None) -> list:
    """The leaves of ``tree`` in flattening order."""
    out: list = []
    if is_leaf is None:
        _leaves(tree, out)
    else:
        _flatten_is_leaf(tree, out, is_leaf)
    return out


def tree_structure(tree, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """The ``PyTreeDef`` of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def _rest_mismatch_error(fname, treedef, i, r, e: _Mismatch):
    try:
        rs = repr(tree_structure(r))
    except Exception:  # pragma: no cover - defensive
        rs = f"<could not flatten {type(r).__name__}>"
    return ValueError(
        f"{fname}: rest[{i}] (argument {i + 1} after the first tree) does not have the "
        f"first tree's structure as a prefix.\n"
        f"  first tree structure: {treedef!r}\n"
        f"  rest[{i}] structure:   {rs}\n"
        f"  {e.describe()}"
    )


def _flatten_rest(fname, treedef, rest):
    node = treedef._node
    out_all = []
    for i, r in enumerate(rest):
        if node is _LEAF:
            out_all.append([r])
            continue
        out: list = []
        try:
            _flatten_up_to(node, r, out)
        except _Mismatch as e:
            raise _rest_mismatch_error(fname, treedef, i, r, e) from None
        out_all.append(out)
    return out_all


def tree_map(f: Callable, tree, *rest, is_leaf: Callable[[Any], bool] | None = None):
    """Apply ``f`` leaf-wise; ``rest`` trees must have ``tree``'s structure
    as a prefix (their corresponding subtrees are passed to ``f``)."""
    leaves, treedef = tree_flatten(tree, is_leaf)
    node = treedef._node
    if not rest:
        new = [f(x) for x in leaves]
    else:
        others = _flatten_rest("tree_map", treedef, rest)
        new = [f(*xs) for xs in zip(leaves, *others)]
    if node is _LEAF:
        return new[0]
    return _unflatten(node, iter(new).__next__)


def tree_reduce(function: Callable, tree, initializer: Any = _MISSING, is_leaf=None):
    """``functools.reduce`` over the leaves of ``tree``."""
    if initializer is _MISSING:
        return functools.reduce(function, tree_leaves(tree, is_leaf))
    return functools.reduce(function, tree_leaves(tree, is_leaf), initializer)


def tree_all(tree, *, is_leaf=None) -> bool:
    """``all()`` over the leaves of ``tree``."""
    return all(tree_leaves(tree, is_leaf))


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None, pytree_to_transpose):
    """Turn an outer-of-inner pytree into an inner-of-outer pytree.

    ``pytree_to_transpose`` must have structure ``outer_treedef`` composed with
    ``inner_treedef`` (``inner_treedef=None`` infers it from the first outer
    leaf).
    """
    if inner_treedef is None:
        subtrees = outer_treedef.flatten_up_to(pytree_to_transpose)
        if not subtrees:
            raise ValueError(
                "tree_transpose: cannot infer inner_treedef because outer_treedef "
                f"{outer_treedef!r} has no leaves."
            )
        inner_treedef = tree_structure(subtrees[0])
    flat, treedef = tree_flatten(pytree_to_transpose)
    expected = outer_treedef.compose(inner_treedef)
    if treedef != expected:
        raise TypeError(
            "tree_transpose: pytree structure mismatch.\n"
            f"  found:    {treedef!r}\n"
            f"  expected: {expected!r}\n"
            f"  (outer {outer_treedef!r} composed with inner {inner_treedef!r})"
        )
    ni = inner_treedef.num_leaves
    no = outer_treedef.num_leaves
    columns = [outer_treedef.unflatten(flat[j::ni] if no else []) for j in range(ni)]
    return inner_treedef.unflatten(columns)


def treedef_children(treedef: PyTreeDef) -> list:
    return treedef.children()


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """True for a leaf or a childless node (e.g. ``None``, ``()``)."""
    node = treedef._node
    return node is _LEAF or not node[2]


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """Treedef of a tuple whose children have the given treedefs."""
    treedefs = list(treedefs)
    for t in treedefs:
        if not isinstance(t, PyTreeDef):
            raise TypeError(f"treedef_tuple: expected PyTreeDef instances, got {t!r}.")
    return _new_treedef(
        (_TUPLE_SPEC, None, tuple([t._node for t in treedefs])),
        sum([t._num_leaves for t in treedefs]),
    )


def all_leaves(iterable: Iterable, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """Whether every element of ``iterable`` is a leaf."""
    if is_leaf is None:
        return all(_lookup(x) is None for x in iterable)
    return all(is_leaf(x) or _lookup(x) is None for x in iterable)


def build_tree(treedef: PyTreeDef, xs):
    """Build a pytree of structure ``treedef`` from nested iterables ``xs``
    whose nesting gives each node's children (in flattening order)."""
    return treedef.from_iterable_tree(xs)


def tree_flatten_with_path(tree, is_leaf=None, is_leaf_takes_path: bool = False):
    """Like ``tree_flatten`` but the leaves are ``(key_path, leaf)`` pairs."""
    out: list = []
    node = _flatten_with_path(tree, (), out, is_leaf, is_leaf_takes_path)
    return out, _new_treedef(node, len(out))


def tree_leaves_with_path(tree, is_leaf=None, is_leaf_takes_path: bool = False) -> list:
    """List of ``(key_path, leaf)`` pairs."""
    out: list = []
    _flatten_with_path(tree, (), out, is_leaf, is_leaf_takes_path)
    return out


def tree_map_with_path(f: Callable, tree, *rest, is_leaf=None, is_leaf_takes_path: bool = False):
    """Like ``tree_map`` but ``f(key_path, leaf, *rest_leaves)``."""
    pairs, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    if not rest:
        new = [f(p, x) for p, x in pairs]
    else:
        others = _flatten_rest("tree_map_with_path", treedef, rest)
        new = [f(p, x, *xs) for (p, x), *xs in zip(pairs, *others)]
    return treedef.unflatten(new)


# ---------------------------------------------------------------------------
# Partial
# ---------------------------------------------------------------------------


class _StaticCallable:
    """Boxes a ``functools.partial`` used as the function of a ``Partial`` so
    that ``functools.partial.__new__`` does not merge its arguments (they must
    stay static aux data, not become children)."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __eq__(self, other):
        if isinstance(other, _StaticCallable):
            return self.fn == other.fn
        return NotImplemented

    def __hash__(self):
        return hash(self.fn)

    def __repr__(self):
        return repr(self.fn)


class Partial(functools.partial):
    """A ``functools.partial`` that is a pytree.

    The wrapped function is static aux data (it determines treedef equality
    and hash); the positional arguments and keyword arguments are children.
    """

    def __new__(cls, func, /, *args, **kwargs):
        if isinstance(func, functools.partial):
            func = _StaticCallable(func)
        return super().__new__(cls, func, *args, **kwargs)


register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, xs: Partial(func, *xs[0], **xs[1]),
)
