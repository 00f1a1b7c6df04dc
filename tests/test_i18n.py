"""Language switch, translation against the catalogue, and Chinese glyphs in matplotlib."""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib import font_manager

from journey import i18n
from journey.errors import JourneyError
from journey.stages import CATALOGUE, STAGES

LABEL = "各环节等候中位数（分钟）：挂号、缴费、取药 −5"


@pytest.fixture(autouse=True)
def _restore_language():
    before = i18n.get_language()
    yield
    i18n.set_language(before)


def test_language_switch():
    assert i18n.get_language() == "en"
    i18n.set_language("zh")
    assert i18n.get_language() == "zh"
    assert i18n.translate("Payment") == "缴费"  # the session language is the default
    i18n.set_language("en")
    assert i18n.translate("缴费") == "Payment"
    with pytest.raises(JourneyError, match="'en'.*'zh'"):
        i18n.set_language("fr")
    assert i18n.get_language() == "en"


def test_translate_every_catalogue_name_both_ways():
    for row in CATALOGUE.itertuples():
        assert i18n.translate(row.name_en, "zh") == row.name_zh, row.touchpoint
        assert i18n.translate(row.name_zh, "en") == row.name_en, row.touchpoint
        assert i18n.translate(row.name_zh, "zh") == row.name_zh
        assert i18n.translate(row.touchpoint, "zh") == row.name_zh
    for key, names in STAGES.items():
        assert i18n.translate(key, "zh") == names["zh"]
        assert i18n.translate(names["zh"], "en") == names["en"]


def test_translate_aliases_and_unknown_names():
    assert i18n.translate("Blood test", "zh") == "检验"
    assert i18n.translate("抽血", "en") == "Lab"
    assert i18n.translate("Parking", "zh") == "Parking"
    assert i18n.translate("停车", "en") == "停车"
    with pytest.raises(JourneyError):
        i18n.translate("Lab", "de")


def test_translate_columns_round_trip():
    table = pd.DataFrame({"activity": ["Lab"], "cases": [3], "events": [4], "wait_median": [2.5],
                          "my_tag": ["x"]})
    zh = i18n.translate_columns(table, "zh")
    assert list(zh.columns) == ["环节", "就诊人次", "事件数", "等候中位数(分钟)", "my_tag"]
    assert list(table.columns) == ["activity", "cases", "events", "wait_median", "my_tag"]
    back = i18n.translate_columns(zh, "en")
    # "visits" and "cases" share a Chinese header; the way back gives the first, "cases"
    assert list(back.columns) == list(table.columns)
    pd.testing.assert_frame_equal(back, table)
    i18n.set_language("zh")
    assert i18n.translate_columns(table).columns[1] == "就诊人次"
    with pytest.raises(JourneyError, match="DataFrame"):
        i18n.translate_columns(table["cases"])


def test_column_names_are_unique_per_direction():
    zh = i18n.COLUMN_NAMES_ZH
    for name, header in zh.items():
        assert i18n._COLUMN_NAMES_EN[header] in zh
        assert zh[i18n._COLUMN_NAMES_EN[header]] == header, name


def _draw(path):
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.set_title(LABEL)
    ax.bar(["挂号", "缴费"], [-1, 2])
    fig.savefig(path, dpi=50)
    plt.close(fig)


def test_chinese_label_renders_without_missing_glyphs(tmp_path):
    with matplotlib.rc_context():
        try:
            family = i18n.use_cjk_font()
        except JourneyError as err:
            pytest.skip(f"no CJK font installed ({err})")
        assert matplotlib.rcParams["font.sans-serif"][0] == family
        used = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
        charmap = font_manager.get_font(used).get_charmap()
        assert all(ord(c) in charmap for c in LABEL if not c.isascii() and c != "−")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _draw(tmp_path / "zh.png")
    assert (tmp_path / "zh.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_cjk_font_glyphs_go_missing(tmp_path):
    """The check above can fail: DejaVu Sans alone has no Chinese glyphs."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="missing from font"):
                _draw(tmp_path / "boxes.png")
    plt.close("all")


def test_no_cjk_font_raises_with_install_hint(monkeypatch):
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with matplotlib.rc_context():
        with pytest.raises(JourneyError, match="fonts-noto-cjk.*font-ttf-noto-cjk"):
            i18n.use_cjk_font()
