"""Names as Vietnamese lists order them (the trial found Unicode's order: Đức after Yến)."""

from __future__ import annotations

from lobby.names import labels, ordered


def test_given_names_in_vietnamese_order() -> None:
    people = [("1", "Lý Văn Đức"), ("2", "Phạm Văn Em"), ("3", "Trần Thị Yến"),
              ("4", "Nguyễn Thị Bình"), ("5", "Lê Thị Bích"), ("6", "Vũ Hoàng"),
              ("7", "Đỗ Huy"), ("8", "Ngô Thu Hà"), ("9", "Bùi Hạnh"), ("10", "Mai Hải"),
              ("11", "Lê Văn Dũng")]
    assert [name for _id, name in ordered(people)] == [
        "Lê Thị Bích", "Nguyễn Thị Bình", "Lê Văn Dũng", "Lý Văn Đức", "Phạm Văn Em",
        "Ngô Thu Hà", "Mai Hải", "Bùi Hạnh", "Vũ Hoàng", "Đỗ Huy", "Trần Thị Yến"]


def test_namesakes_are_told_apart_and_sorted_by_their_name() -> None:
    people = [("nv09", "Lê Văn Tuấn"), ("nv02", "Nguyễn Thị Anh"), ("nv01", "Lê Văn Tuấn")]
    assert ordered(people) == [("nv02", "Nguyễn Thị Anh"), ("nv01", "Lê Văn Tuấn (nv01)"),
                               ("nv09", "Lê Văn Tuấn (nv09)")]
    assert labels(people)["nv02"] == "Nguyễn Thị Anh"
