"""Kept: values kept by key within a budget, the oldest out first."""

from proto.kept import Kept


def test_each_value_counts_one_unless_weighed_and_the_oldest_go_first():
    pages = Kept(budget=2)
    for key in "abc":
        pages.keep(key, [key])
    assert (pages.get("a"), pages.get("b"), pages.get("c")) == (None, ["b"], ["c"])

    markup = Kept(budget=10, weight=len)
    markup.keep(1, "x" * 6)
    markup.keep(2, "y" * 4)
    assert markup.get(1) == "x" * 6  # exactly the budget: nothing goes
    markup.keep(3, "z")
    assert (markup.get(1), markup.get(2), markup.get(3)) == (None, "y" * 4, "z")


def test_the_first_value_kept_for_a_key_stays():
    kept = Kept(budget=5, weight=len)
    kept.keep("k", "first")
    kept.keep("k", "later")  # two threads computed it: the budget counts one
    assert kept.get("k") == "first"
    kept.keep("other", "x")
    assert kept.get("k") is None  # 5 + 1 is over the budget: the oldest went
