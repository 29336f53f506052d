"""English the notes never use: read as the notes' own Chinese words through CC-CEDICT, so that an English
question lands on a note written in Chinese; the notes' own English words and typed pinyin stay as they are."""

from __future__ import annotations

from bot.knowledge.search import KnowledgeIndex
from bot.knowledge.search.english import EnglishReader, base_forms, glossary
from tests.unit.knowledge.search.conftest import note

NOTES = [
    note("gadget/warranty", "保修期是多久", "整机保修一年，电池保修半年，凭订单号办理。"),
    note("gadget/firmware", "固件升级失败开不了机", "长按电源键十秒进入恢复模式，重新刷固件。"),
    note("gadget/dryer", "吹风机能不能在国外用", "国内吹风机是220伏，带到110伏的地方要用变压器。"),
    note("wear/pilling", "毛衣起球怎么回复", "起球是羊毛面料的正常现象，教顾客用剃毛器处理。"),
    note("wear/size", "尺码怎么推荐", "问清身高体重，按尺码表推荐。"),
    note("it/usb", "工作电脑能不能用U盘", "为了顾客信息安全，工作电脑禁止使用U盘。"),
]


def index() -> KnowledgeIndex:
    return KnowledgeIndex.build(NOTES)


def test_the_dictionary_knows_whole_glosses_and_which_meaning_comes_first() -> None:
    table = glossary()
    first = table["firmware"].split("|")[0]
    assert "固件" in first.split()  # 固件 /firmware/: its first meaning
    assert (
        "保修" in table["warranty"].split("|")[1].split()
    )  # 保修 /to promise to keep sth in good repair/warranty/
    assert "吹风机" in table["hair dryer"].replace("|", " ").split()  # a phrase of two words
    # A word inside a longer definition is not a gloss of it: 保修 is not read for "promise".
    assert "保修" not in table.get("promise", "").replace("|", " ").split()


def test_inflected_words_are_looked_up_as_their_base_forms_too() -> None:
    assert list(base_forms("shipped"))[:4] == ["shipped", "shipp", "shippe", "ship"]
    assert "battery" in base_forms("batteries")
    assert "earphone" in base_forms("earphones")
    assert list(base_forms("box")) == ["box"]


def test_a_word_whose_first_meaning_it_is_comes_first_then_the_word_most_notes_use() -> None:
    # 盒子 /box/ (its first meaning); 箱子 /suitcase/box/ (its second).
    reader = EnglishReader(lambda word: {"盒子": 1, "箱子": 3}.get(word, 0))
    assert reader.chinese(("box",)) == "盒子"
    assert reader.chinese(("boxes",)) == "盒子"
    assert reader.chinese(("warranty",)) is None  # no translation of it is in these notes
    assert reader.spans(["the", "hair", "dryer", "box"]) == [(3, 4, "盒子")]
    only_second = EnglishReader(lambda word: {"箱子": 3}.get(word, 0))
    assert only_second.chinese(("box",)) == "箱子"


def test_english_words_the_notes_never_use_become_the_notes_chinese_words() -> None:
    analyzer = index().analyzer
    # "long" spells pinyin too, but among words that can only be English it is English: how long → 多久.
    assert analyzer.canonical_text("How long is the warranty?") == "多久 is the 保修"
    assert "吹风机" in analyzer.canonical_text("Can the hair dryer work with 110V?")
    assert "固件" in analyzer.canonical_text("firmware update failed")
    # Words no translation of which the notes use stay as they are; so does typed pinyin.
    assert "galaxy" in analyzer.canonical_text("galaxy warranty")
    assert analyzer.canonical_text("baoxiu duojiu") == "BAOXIU DUOJIU"


def test_an_english_question_finds_the_chinese_note_and_a_known_english_word_stays_english() -> None:
    kb = index()
    for question, expected in [
        ("How long is the warranty?", "gadget/warranty"),
        ("firmware update failed", "gadget/firmware"),
        ("Can the hair dryer work with 110V?", "gadget/dryer"),
        ("the sweater has little balls", "wear/pilling"),
    ]:
        assert kb.search(question).matches[0].note.id == expected, question
    # "size" is the lexicon's English for 尺码: it is read through the lexicon, not the dictionary.
    assert "尺码" in kb.analyzer.canonical_text("which size to buy")
    assert kb.search("which size to buy").matches[0].note.id == "wear/size"


def test_notes_that_use_an_english_word_keep_it() -> None:
    notes = [*NOTES, note("it/firmware-tool", "firmware 工具在哪下载", "在内网 firmware 目录。")]
    analyzer = KnowledgeIndex.build(notes).analyzer
    assert analyzer.canonical_text("firmware update failed").split()[0] == "firmwar"  # stemmed, not 固件
