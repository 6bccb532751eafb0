"""Tests for jaxlike.tree_util, using jax.tree_util as the oracle."""

import collections
import copy
import dataclasses
import functools
import operator
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jax.tree_util as jtu

import jaxlike.tree as jt
import jaxlike.tree_util as tu

# ---------------------------------------------------------------------------
# Test node types, registered in both registries (ours and jax's).
# ---------------------------------------------------------------------------

Point = collections.namedtuple("Point", ["x", "y"])
Other = collections.namedtuple("Other", ["x", "y"])


class Box:
    """Custom node without keys: children (a, b), aux `tag`."""

    def __init__(self, a, b, tag="t"):
        self.a, self.b, self.tag = a, b, tag

    def __eq__(self, other):
        return type(other) is Box and (self.a, self.b, self.tag) == (other.a, other.b, other.tag)

    def __repr__(self):
        return f"Box({self.a!r}, {self.b!r}, {self.tag!r})"


def _box_flatten(b):
    return (b.a, b.b), b.tag


def _box_unflatten(tag, ch):
    return Box(ch[0], ch[1], tag)


class KBox:
    """Custom node registered with keys (GetAttrKey for each child)."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def __eq__(self, other):
        return type(other) is KBox and (self.a, self.b) == (other.a, other.b)


def _kbox_flatten_with_keys(b):
    return ((tu.GetAttrKey("a"), b.a), (tu.GetAttrKey("b"), b.b)), None


def _jkbox_flatten_with_keys(b):
    return ((jtu.GetAttrKey("a"), b.a), (jtu.GetAttrKey("b"), b.b)), None


def _kbox_unflatten(aux, ch):
    return KBox(*ch)


tu.register_pytree_node(Box, _box_flatten, _box_unflatten)
jtu.register_pytree_node(Box, _box_flatten, _box_unflatten)
tu.register_pytree_with_keys(KBox, _kbox_flatten_with_keys, _kbox_unflatten)
jtu.register_pytree_with_keys(KBox, _jkbox_flatten_with_keys, _kbox_unflatten)


class Pair:
    """Registered through register_pytree_node_class in both registries."""

    def __init__(self, left, right, name="p"):
        self.left, self.right, self.name = left, right, name

    def tree_flatten(self):
        return (self.left, self.right), self.name

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children, name=aux)

    def __eq__(self, other):
        return type(other) is Pair and (self.left, self.right, self.name) == (
            other.left,
            other.right,
            other.name,
        )


assert tu.register_pytree_node_class(Pair) is Pair
jtu.register_pytree_node_class(Pair)


@dataclasses.dataclass
class DC:
    w: object
    b: object
    scale: float = dataclasses.field(default=1.0, metadata=dict(static=True))


assert tu.register_dataclass(DC) is DC
jtu.register_dataclass(DC)


class Static:
    def __init__(self, v):
        self.v = v

    def __eq__(self, other):
        return isinstance(other, Static) and self.v == other.v

    def __hash__(self):
        return hash(self.v)


assert tu.register_static(Static) is Static
jtu.register_static(Static)


class ListSub(list):
    """Unregistered list subclass: a leaf in both implementations."""


# Trees that both implementations must handle identically.
TREES = [
    1,
    None,
    (),
    [],
    {},
    (1, 2, 3),
    [1, [2, [3, [4]]]],
    (None, 1, (None,), [None, 2]),
    {"b": 1, "a": 2, "c": (3, 4)},
    {"z": {"y": [1, 2], "x": None}, "a": 0},
    {1: "one", 0: "zero", -5: [1.5]},
    Point(1, (2, 3)),
    [Point(Point(1, 2), None), Point([3], {"k": 4})],
    collections.OrderedDict([("b", 1), ("a", [2, 3])]),
    collections.defaultdict(list, {"b": 1, "a": (2, None)}),
    Box(1, [2, 3], tag="q"),
    KBox({"u": 1}, (2,)),
    Pair([1, 2], Box(3, 4)),
    DC(w=np.ones(2), b=[1, 2], scale=3.0),
    [Static(1), 2, Static("s")],
    (np.arange(3), "str", b"bytes", 1.5, 2j, object),
    ListSub([1, 2]),
    [ListSub([1]), (ListSub(),)],
    {"p": Point(x={"q": None}, y=[()])},
]


def _ids(trees):
    return [f"t{i}" for i in range(len(trees))]


def _same_leaves(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x is y


def _strip(tree):
    """Convert a tree into a comparable plain-Python representation (types
    included), for exact structural comparison of rebuilt trees."""
    if isinstance(tree, (collections.OrderedDict, collections.defaultdict)):
        return (type(tree).__name__, getattr(tree, "default_factory", None),
                [(k, _strip(v)) for k, v in tree.items()])
    if isinstance(tree, dict):
        return ("dict", [(k, _strip(v)) for k, v in tree.items()])
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return (type(tree).__name__, [_strip(v) for v in tree])
    if type(tree) in (list, tuple):
        return (type(tree).__name__, [_strip(v) for v in tree])
    if isinstance(tree, np.ndarray):
        return ("ndarray", tree.tolist())
    return ("leaf", type(tree).__name__, tree)


# ---------------------------------------------------------------------------
# Flatten / unflatten against the oracle
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_flatten_matches_jax(tree):
    leaves, td = tu.tree_flatten(tree)
    jleaves, jtd = jtu.tree_flatten(tree)
    _same_leaves(leaves, jleaves)
    _same_leaves(tu.tree_leaves(tree), jleaves)
    assert td.num_leaves == jtd.num_leaves == len(leaves)
    assert td.num_nodes == jtd.num_nodes
    assert len(td.children()) == len(jtd.children())
    assert [c.num_leaves for c in td.children()] == [c.num_leaves for c in jtd.children()]
    assert [c.num_nodes for c in td.children()] == [c.num_nodes for c in jtd.children()]
    assert tu.treedef_is_leaf(td) == jtu.treedef_is_leaf(jtd)


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_unflatten_roundtrip_matches_jax(tree):
    leaves, td = tu.tree_flatten(tree)
    jleaves, jtd = jtu.tree_flatten(tree)
    ours = tu.tree_unflatten(td, leaves)
    theirs = jtu.tree_unflatten(jtd, jleaves)
    assert type(ours) is type(theirs)
    # Same structure and same leaves (by identity) when re-flattened.
    _same_leaves(tu.tree_leaves(ours), jleaves)
    assert tu.tree_structure(ours) == td
    # Dict / OrderedDict / defaultdict key order as jax rebuilds it.
    assert _strip(ours) == _strip(theirs)


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_repr_matches_jax(tree):
    td = tu.tree_structure(tree)
    jtd = jtu.tree_structure(tree)
    # Static nodes put object reprs (with addresses, identical objects) in the repr.
    assert repr(td) == repr(jtd)


def test_repr_examples():
    assert repr(tu.tree_structure((1, {"a": 2}))) == "PyTreeDef((*, {'a': *}))"
    assert repr(tu.tree_structure(None)) == "PyTreeDef(None)"
    assert repr(tu.tree_structure(5)) == "PyTreeDef(*)"
    assert repr(tu.tree_structure((5,))) == "PyTreeDef((*,))"
    assert repr(tu.tree_structure(Point(1, 2))) == "PyTreeDef(CustomNode(namedtuple[Point], [*, *]))"


def test_dict_unflatten_order_matches_jax():
    d = {"b": 1, "a": 2, "c": 3}
    leaves, td = tu.tree_flatten(d)
    assert leaves == [2, 1, 3]
    out = tu.tree_unflatten(td, ["A", "B", "C"])
    jout = jtu.tree_unflatten(jtu.tree_structure(d), ["A", "B", "C"])
    assert list(out.items()) == list(jout.items()) == [("a", "A"), ("b", "B"), ("c", "C")]
    assert list(tu.tree_map(lambda x: x, d)) == list(jtu.tree_map(lambda x: x, d))


def test_ordered_and_default_dict():
    od = collections.OrderedDict([("b", 1), ("a", 2)])
    assert tu.tree_leaves(od) == [1, 2]
    back = tu.tree_unflatten(tu.tree_structure(od), [10, 20])
    assert type(back) is collections.OrderedDict and list(back.items()) == [("b", 10), ("a", 20)]
    # Different order => different structure.
    assert tu.tree_structure(od) != tu.tree_structure(collections.OrderedDict([("a", 1), ("b", 2)]))
    assert tu.tree_structure(od) != tu.tree_structure({"b": 1, "a": 2})

    dd = collections.defaultdict(list, {"b": 1, "a": 2})
    assert tu.tree_leaves(dd) == [2, 1]
    back = tu.tree_map(lambda x: x * 10, dd)
    assert type(back) is collections.defaultdict and back.default_factory is list
    assert dict(back) == {"a": 20, "b": 10}
    assert tu.tree_structure(dd) != tu.tree_structure(collections.defaultdict(int, {"b": 1, "a": 2}))


def test_none_is_an_empty_node():
    assert tu.tree_leaves(None) == []
    assert tu.tree_leaves([None, 1, (None,)]) == [1]
    td = tu.tree_structure(None)
    assert td.num_leaves == 0 and td.num_nodes == 1 and td.children() == []
    assert tu.tree_unflatten(td, []) is None
    assert tu.tree_map(lambda x: x + 1, [None, 1]) == [None, 2]
    assert tu.tree_leaves([None, 1], is_leaf=lambda x: x is None) == [None, 1]


def test_leaves_are_unregistered_objects():
    arr = np.zeros(3)
    tree = [arr, 1, "s", ListSub([1, 2]), Other]
    leaves = tu.tree_leaves(tree)
    assert len(leaves) == 5 and leaves[0] is arr and leaves[3] == [1, 2]
    assert tu.tree_structure(arr) == tu.tree_structure(1)
    assert tu.treedef_is_leaf(tu.tree_structure(arr))


def test_namedtuple_type_is_part_of_structure():
    assert tu.tree_structure(Point(1, 2)) != tu.tree_structure((1, 2))
    assert tu.tree_structure(Point(1, 2)) != tu.tree_structure(Other(1, 2))
    assert tu.tree_structure(Point(1, 2)) == tu.tree_structure(Point("a", "b"))
    back = tu.tree_unflatten(tu.tree_structure(Point(1, 2)), [5, 6])
    assert type(back) is Point and back == Point(5, 6)


@pytest.mark.parametrize("container", [tuple, list])
def test_fresh_namedtuple_type_inside_container(container):
    # A namedtuple type never seen before, nested in a container of leaves.
    Fresh = collections.namedtuple("Fresh", ["p", "q"])
    tree = container([1, Fresh(2, (3,))])
    assert tu.tree_leaves(tree) == jtu.tree_leaves(tree) == [1, 2, 3]
    Fresh2 = collections.namedtuple("Fresh2", ["p"])
    tree = container([1, Fresh2(2)])
    leaves, td = tu.tree_flatten(tree)
    assert leaves == [1, 2]
    assert repr(td) == repr(jtu.tree_structure(tree))
    # tuple subclasses without _fields are leaves
    class TupSub(tuple):
        pass

    tree = container([1, TupSub((2, 3))])
    assert tu.tree_leaves(tree) == jtu.tree_leaves(tree) == [1, TupSub((2, 3))]


def test_is_leaf():
    tree = [1, (2, 3), {"a": (4,)}]
    f = lambda x: isinstance(x, tuple)  # noqa: E731
    _same_leaves(tu.tree_leaves(tree, is_leaf=f), jtu.tree_leaves(tree, is_leaf=f))
    leaves, td = tu.tree_flatten(tree, is_leaf=f)
    assert leaves == [1, (2, 3), (4,)]
    assert repr(td) == repr(jtu.tree_structure(tree, is_leaf=f))
    assert tu.tree_unflatten(td, leaves) == tree
    # is_leaf on the root.
    assert tu.tree_leaves(tree, is_leaf=lambda x: isinstance(x, list)) == [tree]


def test_unsortable_dict_keys_raise():
    with pytest.raises(ValueError, match="sort"):
        tu.tree_flatten({1: 1, "a": 2})


# ---------------------------------------------------------------------------
# Hypothesis: random nested trees
# ---------------------------------------------------------------------------

leaf_st = st.integers(-5, 5) | st.none()
tree_st = st.recursive(
    leaf_st,
    lambda ch: st.lists(ch, max_size=4)
    | st.lists(ch, max_size=4).map(tuple)
    | st.dictionaries(st.text("abcde", max_size=2), ch, max_size=4)
    | st.builds(Point, ch, ch),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None)
@given(tree_st)
def test_hypothesis_flatten_matches_jax(tree):
    leaves, td = tu.tree_flatten(tree)
    jleaves, jtd = jtu.tree_flatten(tree)
    assert leaves == jleaves
    assert td.num_leaves == jtd.num_leaves
    assert td.num_nodes == jtd.num_nodes
    assert repr(td) == repr(jtd)
    rebuilt = tu.tree_unflatten(td, leaves)
    assert _strip(rebuilt) == _strip(jtu.tree_unflatten(jtd, jleaves))
    assert tu.tree_structure(rebuilt) == td
    # Relabelled leaves end up in the same positions as jax puts them.
    new = list(range(len(leaves)))
    assert _strip(tu.tree_unflatten(td, new)) == _strip(jtu.tree_unflatten(jtd, new))
    paths = [(tu.keystr(p), x) for p, x in tu.tree_leaves_with_path(tree)]
    jpaths = [(jtu.keystr(p), x) for p, x in jtu.tree_leaves_with_path(tree)]
    assert paths == jpaths


@settings(max_examples=100, deadline=None)
@given(tree_st, tree_st)
def test_hypothesis_structure_equality_matches_jax(a, b):
    ta, tb = tu.tree_structure(a), tu.tree_structure(b)
    ja, jb = jtu.tree_structure(a), jtu.tree_structure(b)
    assert (ta == tb) == (ja == jb)
    assert (ta != tb) == (ja != jb)
    if ta == tb:
        assert hash(ta) == hash(tb)
    # flatten_up_to succeeds exactly when jax's does.
    try:
        jres = ja.flatten_up_to(b)
    except ValueError:
        with pytest.raises(ValueError):
            ta.flatten_up_to(b)
    else:
        res = ta.flatten_up_to(b)
        assert len(res) == len(jres)
        assert all(_strip(x) == _strip(y) for x, y in zip(res, jres))


# ---------------------------------------------------------------------------
# PyTreeDef API
# ---------------------------------------------------------------------------


def test_treedef_hash_eq():
    t1 = tu.tree_structure({"a": (1, 2), "b": [3]})
    t2 = tu.tree_structure({"b": ["x"], "a": ("y", "z")})
    t3 = tu.tree_structure({"a": (1, 2), "b": (3,)})
    assert t1 == t2 and hash(t1) == hash(t2)
    assert t1 != t3
    assert len({t1, t2, t3}) == 2
    cache = {t1: "hit"}
    assert cache[t2] == "hit"
    assert t1 != "not a treedef"
    assert tu.tree_structure((1, 2)) != tu.tree_structure([1, 2])
    assert tu.tree_structure((1, 2)) != tu.tree_structure((1, 2, 3))
    assert tu.tree_structure((1, 2)) != tu.tree_structure((1, (2,)))
    assert tu.tree_structure({"a": 1}) != tu.tree_structure({"b": 1})
    assert tu.tree_structure(Box(1, 2, "x")) == tu.tree_structure(Box(3, 4, "x"))
    assert tu.tree_structure(Box(1, 2, "x")) != tu.tree_structure(Box(1, 2, "y"))
    assert tu.tree_structure(None) == tu.tree_structure(None)
    assert tu.tree_structure(None) != tu.tree_structure(())


def test_treedef_constructor_is_private():
    with pytest.raises(TypeError):
        tu.PyTreeDef()


def test_treedef_children_and_helpers():
    tree = (1, [2, 3], {"a": None})
    td = tu.tree_structure(tree)
    jtd = jtu.tree_structure(tree)
    assert [repr(c) for c in tu.treedef_children(td)] == [repr(c) for c in jtu.treedef_children(jtd)]
    assert tu.tree_structure(1).children() == []
    for sub in [1, None, (), [], {}, (1,), [None]]:
        assert tu.treedef_is_leaf(tu.tree_structure(sub)) == jtu.treedef_is_leaf(jtu.tree_structure(sub))
    tds = [tu.tree_structure(1), tu.tree_structure([1, 2]), tu.tree_structure(None)]
    jtds = [jtu.tree_structure(1), jtu.tree_structure([1, 2]), jtu.tree_structure(None)]
    tt = tu.treedef_tuple(tds)
    assert repr(tt) == repr(jtu.treedef_tuple(jtds))
    assert tt == tu.tree_structure((0, [0, 0], None))
    assert tt.num_leaves == 3
    assert tu.tree_unflatten(tt, "abc") == ("a", ["b", "c"], None)
    assert td.node_data() == (tuple, None)
    assert tu.tree_structure(1).node_data() is None
    assert tu.tree_structure({"b": 1, "a": 2}).node_data() == (dict, ("a", "b"))


def test_treedef_copy_and_pickle():
    td = tu.tree_structure({"a": (1, None), "b": [2, Point(3, 4)]})
    assert copy.deepcopy(td) == td
    back = pickle.loads(pickle.dumps(td))
    assert back == td and hash(back) == hash(td)
    assert back.unflatten(range(4)) == {"a": (0, None), "b": [1, Point(2, 3)]}


def test_unflatten_wrong_number_of_leaves():
    td = tu.tree_structure((1, 2))
    with pytest.raises(ValueError, match="Too few leaves"):
        tu.tree_unflatten(td, [1])
    with pytest.raises(ValueError, match="Too many leaves"):
        tu.tree_unflatten(td, [1, 2, 3])
    assert tu.tree_unflatten(td, iter([7, 8])) == (7, 8)
    assert tu.tree_unflatten(tu.tree_structure(5), ["x"]) == "x"


def test_flatten_up_to():
    td = tu.tree_structure((1, {"a": 2, "b": [3]}))
    tree = ([1, 2], {"b": [(3,)], "a": None})
    res = td.flatten_up_to(tree)
    assert res == jtu.tree_structure((1, {"a": 2, "b": [3]})).flatten_up_to(tree)
    assert res == [[1, 2], None, (3,)]


@pytest.mark.parametrize(
    "prefix, tree, needle",
    [
        ((1, 2), [1, 2], "expected a tuple, found a list"),
        ((1, 2), (1, 2, 3), "length 2"),
        ([1, (2, 3)], [1, (2,)], "[1]"),
        ({"a": 1}, {"b": 1}, "dict keys differ"),
        ([None, 1], [2, 3], "expected None"),
        (Point(1, 2), (1, 2), "namedtuple Point"),
        (Point(1, 2), Other(1, 2), "namedtuple Point"),
        (collections.OrderedDict(a=1, b=2), collections.OrderedDict(b=1, a=2), "OrderedDict"),
        ({"a": 1}, collections.OrderedDict(a=1), "expected a dict"),
        (Box(1, 2, "x"), Box(1, 2, "y"), "'x'"),
        ({"k": [Box(1, 2)]}, {"k": [3]}, "['k'][0]"),
    ],
)
def test_flatten_up_to_errors(prefix, tree, needle):
    td = tu.tree_structure(prefix)
    with pytest.raises(ValueError) as ei:
        td.flatten_up_to(tree)
    msg = str(ei.value)
    assert needle in msg
    assert repr(td) in msg  # names the expected structure
    # jax agrees that these do not match
    with pytest.raises(ValueError):
        jtu.tree_structure(prefix).flatten_up_to(tree)


# ---------------------------------------------------------------------------
# tree_map & friends
# ---------------------------------------------------------------------------


def test_tree_map_single_and_multi():
    tree = {"a": (1, 2), "b": [3, None], "c": Point(4, 5)}
    f = lambda x: x * 2  # noqa: E731
    assert _strip(tu.tree_map(f, tree)) == _strip(jtu.tree_map(f, tree))
    other = {"a": (10, 20), "b": [30, None], "c": Point(40, 50)}
    g = lambda x, y: x + y  # noqa: E731
    assert _strip(tu.tree_map(g, tree, other)) == _strip(jtu.tree_map(g, tree, other))
    h = lambda x, y, z: (x, y, z)  # noqa: E731
    assert tu.tree_map(h, [1, 2], [3, 4], [5, 6]) == [(1, 3, 5), (2, 4, 6)]
    assert tu.tree_map(lambda x: x + 1, 1) == 2
    assert tu.tree_map(lambda x, y: (x, y), 1, [2, 3]) == (1, [2, 3])


def test_tree_map_prefix_semantics():
    f = lambda a, b: (a, b)  # noqa: E731
    ours = tu.tree_map(f, (1, [2]), (3, [[4, 5]]))
    assert ours == jtu.tree_map(f, (1, [2]), (3, [[4, 5]])) == ((1, 3), [(2, [4, 5])])


def test_tree_map_is_leaf():
    tree = [(1, 2), (3, 4)]
    out = tu.tree_map(lambda t: sum(t), tree, is_leaf=lambda x: isinstance(x, tuple))
    assert out == [3, 7]
    out = tu.tree_map(
        lambda x, y: y if x is None else x + y, [None, 1], [5, 6], is_leaf=lambda x: x is None
    )
    assert out == [5, 7]


def test_tree_map_mismatch_error_names_both_structures():
    with pytest.raises(ValueError) as ei:
        tu.tree_map(lambda a, b: a, (1, 2), [1, 2])
    msg = str(ei.value)
    assert "PyTreeDef((*, *))" in msg and "PyTreeDef([*, *])" in msg
    assert "rest[0]" in msg
    with pytest.raises(ValueError) as ei:
        tu.tree_map(lambda a, b, c: a, {"a": 1}, {"a": 2}, {"a": 1, "b": 2})
    msg = str(ei.value)
    assert "rest[1]" in msg and "PyTreeDef({'a': *, 'b': *})" in msg
    # None in the first tree only matches None (as in current jax).
    with pytest.raises(ValueError, match="expected None"):
        tu.tree_map(lambda a, b: a, [None, 1], [2, 3])
    with pytest.raises(ValueError):
        jtu.tree_map(lambda a, b: a, [None, 1], [2, 3])


def test_tree_reduce_and_all():
    tree = [1, (2, {"a": 3}), None]
    assert tu.tree_reduce(operator.add, tree) == jtu.tree_reduce(operator.add, tree) == 6
    assert tu.tree_reduce(operator.add, tree, 10) == 16
    assert tu.tree_reduce(lambda a, b: a + [b], tree, []) == [1, 2, 3]
    with pytest.raises(TypeError):
        tu.tree_reduce(operator.add, [])
    assert tu.tree_reduce(operator.add, [], 5) == 5
    assert tu.tree_reduce(lambda a, b: a + len(b), [(1, 2), (3,)], 0, is_leaf=lambda x: isinstance(x, tuple)) == 3
    assert tu.tree_all([1, True, (2,)]) is True
    assert tu.tree_all([1, (0,)]) is False
    assert tu.tree_all([]) is True
    assert tu.tree_all([None]) is True
    assert tu.tree_all([None], is_leaf=lambda x: x is None) is False


def test_all_leaves():
    for xs in ([1, 2], [1, [2]], [None], [np.ones(2), "a"], [Point(1, 2)], []):
        assert tu.all_leaves(xs) == jtu.all_leaves(xs)
    assert tu.all_leaves([1, [2]], is_leaf=lambda x: isinstance(x, list))
    assert not tu.all_leaves([1, [2]], is_leaf=lambda x: isinstance(x, tuple))


def test_build_tree():
    td = tu.tree_structure((1, [2, 3], {"b": 0, "a": 0}, None))
    assert tu.build_tree(td, ["x", ("y", "z"), [10, 20], ()]) == ("x", ["y", "z"], {"a": 10, "b": 20}, None)
    assert tu.build_tree(tu.tree_structure(1), [1, 2]) == [1, 2]
    with pytest.raises(ValueError):
        tu.build_tree(td, ["x", ("y",), [1, 2], ()])


def test_tree_transpose():
    outer = tu.tree_structure([0, 0])
    inner = tu.tree_structure((0, {"a": 0}))
    tree = [(1, {"a": 2}), (3, {"a": 4})]
    ours = tu.tree_transpose(outer, inner, tree)
    theirs = jtu.tree_transpose(jtu.tree_structure([0, 0]), jtu.tree_structure((0, {"a": 0})), tree)
    assert ours == theirs == ([1, 3], {"a": [2, 4]})
    assert tu.tree_transpose(outer, None, tree) == ours
    # transposing twice gives back the original
    assert tu.tree_transpose(inner, outer, ours) == tree
    with pytest.raises(TypeError, match="mismatch"):
        tu.tree_transpose(outer, tu.tree_structure((0, 0)), [(1, 2), (3, 4, 5)])


def test_jax_tree_aliases():
    assert jt.map is tu.tree_map
    assert jt.leaves is tu.tree_leaves
    assert jt.structure is tu.tree_structure
    assert jt.flatten is tu.tree_flatten
    assert jt.unflatten is tu.tree_unflatten
    assert jt.reduce is tu.tree_reduce
    assert jt.all is tu.tree_all
    assert jt.transpose is tu.tree_transpose
    assert jt.map_with_path is tu.tree_map_with_path
    assert jt.leaves_with_path is tu.tree_leaves_with_path
    assert jt.flatten_with_path is tu.tree_flatten_with_path
    assert jt.map(lambda x, y: x - y, {"a": 3}, {"a": 1}) == {"a": 2}


# ---------------------------------------------------------------------------
# Custom nodes
# ---------------------------------------------------------------------------


def test_custom_nodes_roundtrip():
    tree = [Box(1, Pair(2, 3, "n")), KBox(4, [5]), Static(9)]
    leaves, td = tu.tree_flatten(tree)
    assert leaves == jtu.tree_leaves(tree) == [1, 2, 3, 4, 5]
    back = tu.tree_unflatten(td, [x * 10 for x in leaves])
    assert back == [Box(10, Pair(20, 30, "n")), KBox(40, [50]), Static(9)]
    assert tu.tree_structure([Static(1)]) != tu.tree_structure([Static(2)])
    assert tu.tree_structure([Static(1)]) == tu.tree_structure([Static(1)])


def test_duplicate_registration_raises():
    with pytest.raises(ValueError, match="Duplicate"):
        tu.register_pytree_node(Box, _box_flatten, _box_unflatten)
    with pytest.raises(ValueError, match="Duplicate"):
        tu.register_pytree_node(tuple, lambda x: (x, None), lambda a, c: tuple(c))


def test_register_dataclass_decorator():
    x = DC(w=1.0, b=[2.0, 3.0], scale=0.5)
    leaves, td = tu.tree_flatten(x)
    assert leaves == jtu.tree_leaves(x) == [1.0, 2.0, 3.0]
    assert repr(td) == repr(jtu.tree_structure(x))
    y = tu.tree_map(lambda v: v * 2, x)
    assert type(y) is DC and y == DC(w=2.0, b=[4.0, 6.0], scale=0.5)
    assert tu.tree_structure(x) == tu.tree_structure(DC(5, [6, 7], 0.5))
    assert tu.tree_structure(x) != tu.tree_structure(DC(5, [6, 7], 2.0))  # meta field differs
    paths = [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(x)]
    assert paths == [jtu.keystr(p) for p, _ in jtu.tree_leaves_with_path(x)] == [".w", ".b[0]", ".b[1]"]


def test_register_dataclass_explicit_fields_and_errors():
    class Plain:
        def __init__(self, a, b):
            self.a, self.b = a, b

    tu.register_dataclass(Plain, data_fields=["a"], meta_fields=["b"])
    leaves, td = tu.tree_flatten(Plain(1, "meta"))
    assert leaves == [1]
    back = td.unflatten([2])
    assert type(back) is Plain and (back.a, back.b) == (2, "meta")

    class NotDC:
        pass

    with pytest.raises(TypeError):
        tu.register_dataclass(NotDC)
    with pytest.raises(TypeError):
        tu.register_dataclass(NotDC, data_fields=["a"])

    @dataclasses.dataclass
    class Two:
        x: int
        y: int

    with pytest.raises(ValueError, match="Missing"):
        tu.register_dataclass(Two, data_fields=["x"], meta_fields=[])
    with pytest.raises(ValueError, match="Unexpected"):
        tu.register_dataclass(Two, data_fields=["x", "y", "z"], meta_fields=[])
    tu.register_dataclass(Two, data_fields=["x"], meta_fields=[], drop_fields=["y"])
    assert tu.tree_leaves(Two(1, 2)) == [1]


def test_register_with_keys_class():
    @tu.register_pytree_with_keys_class
    class KC:
        def __init__(self, v):
            self.v = v

        def tree_flatten_with_keys(self):
            return ((tu.GetAttrKey("v"), self.v),), None

        @classmethod
        def tree_unflatten(cls, aux, children):
            return cls(*children)

    (path, leaf), = tu.tree_leaves_with_path({"k": KC(3)})
    assert tu.keystr(path) == "['k'].v" and leaf == 3
    assert tu.tree_map(lambda x: x + 1, KC(3)).v == 4


def test_flatten_one_level_and_is_tree_node():
    assert tu.flatten_one_level({"b": 1, "a": (2,)}) == ([(2,), 1], ("a", "b"))
    with pytest.raises(ValueError):
        tu.flatten_one_level(1)
    for t in (int, type(None), list, dict, Point, Box, np.ndarray):
        assert tu.is_tree_node(t) == jtu.is_tree_node(t)


# ---------------------------------------------------------------------------
# Partial
# ---------------------------------------------------------------------------


def test_partial_is_pytree():
    p = tu.Partial(max, 1, 5, key=abs)
    assert isinstance(p, functools.partial)
    assert p(-7) == -7
    leaves, td = tu.tree_flatten(p)
    jp = jtu.Partial(max, 1, 5, key=abs)
    assert leaves == jtu.tree_leaves(jp) == [1, 5, abs]
    assert td.num_leaves == 3 and td.num_nodes == jtu.tree_structure(jp).num_nodes
    q = tu.tree_map(lambda x: x * 10 if isinstance(x, int) else x, p)
    assert isinstance(q, tu.Partial) and q.func is max and q.args == (10, 50)
    assert q(-70) == -70 and q(7) == 50


def test_partial_treedef_depends_on_function():
    s1 = tu.tree_structure(tu.Partial(max, 1))
    s2 = tu.tree_structure(tu.Partial(max, 2))
    s3 = tu.tree_structure(tu.Partial(min, 1))
    s4 = tu.tree_structure(tu.Partial(max, 1, 2))
    assert s1 == s2 and hash(s1) == hash(s2)
    assert s1 != s3
    assert s1 != s4
    assert {s1: 0}[s2] == 0
    with pytest.raises(ValueError, match="differs"):
        s1.flatten_up_to(tu.Partial(min, 1))


def test_partial_nested_is_not_merged():
    inner = tu.Partial(operator.sub, 10)
    outer = tu.Partial(inner, 3)
    assert outer() == 7
    assert tu.tree_leaves(outer) == jtu.tree_leaves(jtu.Partial(jtu.Partial(operator.sub, 10), 3)) == [3]
    rebuilt = tu.tree_map(lambda x: x + 1, outer)
    assert rebuilt() == 6
    assert tu.tree_structure(outer) == tu.tree_structure(rebuilt)


def test_partial_key_paths():
    p = tu.Partial(max, 1, k=2)
    jp = jtu.Partial(max, 1, k=2)
    assert [tu.keystr(k) for k, _ in tu.tree_leaves_with_path(p)] == [
        jtu.keystr(k) for k, _ in jtu.tree_leaves_with_path(jp)
    ]


# ---------------------------------------------------------------------------
# Key paths
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("tree", TREES, ids=_ids(TREES))
def test_key_paths_match_jax(tree):
    ours, td = tu.tree_flatten_with_path(tree)
    theirs, jtd = jtu.tree_flatten_with_path(tree)
    assert [tu.keystr(p) for p, _ in ours] == [jtu.keystr(p) for p, _ in theirs]
    assert [repr(p) for p, _ in ours] == [repr(p) for p, _ in theirs]
    assert [tu.keystr(p, simple=True, separator="/") for p, _ in ours] == [
        jtu.keystr(p, simple=True, separator="/") for p, _ in theirs
    ]
    _same_leaves([x for _, x in ours], [x for _, x in theirs])
    assert td == tu.tree_structure(tree)
    assert [x for _, x in tu.tree_leaves_with_path(tree)] == [x for _, x in ours]


def test_key_classes():
    assert str(tu.SequenceKey(0)) == "[0]"
    assert str(tu.DictKey("a")) == "['a']"
    assert str(tu.DictKey(1)) == "[1]"
    assert str(tu.GetAttrKey("name")) == ".name"
    assert str(tu.FlattenedIndexKey(3)) == str(jtu.FlattenedIndexKey(3))
    assert repr(tu.SequenceKey(2)) == repr(jtu.SequenceKey(2))
    assert repr(tu.DictKey("k")) == repr(jtu.DictKey("k"))
    assert repr(tu.GetAttrKey("n")) == repr(jtu.GetAttrKey("n"))
    assert tu.SequenceKey(0) == tu.SequenceKey(0) != tu.SequenceKey(1)
    assert tu.DictKey(0) != tu.SequenceKey(0)
    assert len({tu.DictKey("a"), tu.DictKey("a"), tu.GetAttrKey("a")}) == 2
    keys = (tu.SequenceKey(0), tu.DictKey("a"), tu.GetAttrKey("n"), tu.FlattenedIndexKey(3))
    jkeys = (jtu.SequenceKey(0), jtu.DictKey("a"), jtu.GetAttrKey("n"), jtu.FlattenedIndexKey(3))
    assert tu.keystr(keys) == jtu.keystr(jkeys) == "[0]['a'].n[<flat index 3>]"
    assert tu.keystr(keys, simple=True, separator="/") == jtu.keystr(jkeys, simple=True, separator="/")
    match tu.DictKey("z"):
        case tu.DictKey(key=k):
            assert k == "z"


def test_tree_map_with_path():
    tree = {"a": [1, 2], "b": Point(3, None)}
    f = lambda p, x, y: (tu.keystr(p), x + y)  # noqa: E731
    jf = lambda p, x, y: (jtu.keystr(p), x + y)  # noqa: E731
    assert tu.tree_map_with_path(f, tree, tree) == jtu.tree_map_with_path(jf, tree, tree)
    with pytest.raises(ValueError, match="rest"):
        tu.tree_map_with_path(f, tree, {"a": [1, 2]})


def test_is_leaf_takes_path():
    tree = {"a": [1, 2], "b": [3, 4]}
    stop = lambda p, x: tu.keystr(p) == "['a']"  # noqa: E731
    pairs = tu.tree_leaves_with_path(tree, is_leaf=stop, is_leaf_takes_path=True)
    assert [(tu.keystr(p), x) for p, x in pairs] == [("['a']", [1, 2]), ("['b'][0]", 3), ("['b'][1]", 4)]
    jstop = lambda p, x: jtu.keystr(p) == "['a']"  # noqa: E731
    jpairs = jtu.tree_leaves_with_path(tree, is_leaf=jstop, is_leaf_takes_path=True)
    assert [x for _, x in pairs] == [x for _, x in jpairs]
