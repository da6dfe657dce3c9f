"""Splitting the phrases pypdf glues together on tightly set lines, and leaving real words whole."""

from papergym.core.ingest.clean import clean_pages
from papergym.core.ingest.glued_words import split_glued_words

# The words a paper prints with spaces on its looser lines.
PAPER = (
    "Many laboratory works reported absorption bands of hydrogenated amorphous carbon in the interstellar medium. "
    "The structure of the carbon depends on the production method, and the bands observed in the medium are "
    "identified with aliphatic groups. Electrorheological fluids are not studied here. "
)


def test_a_glued_phrase_is_split_at_the_papers_own_words():
    text = PAPER + "\nthe near infrared absorptionbandsobservedinthemedium, particularly at 3.4 microns"
    assert "absorption bands observed in the medium, particularly" in split_glued_words(text)


def test_a_run_holding_a_word_the_paper_never_prints_alone_stays_glued():
    # "often" is nowhere else in the paper: guessing its edges would split real words ("gat hering").
    text = PAPER + "\nhas not yet been identifiedandoftendependsontheproductionmethod. In fact"
    assert split_glued_words(text) == text
    text = PAPER + "\nhas not yet been identifiedanddependsontheproductionmethod. In fact"
    assert "identified and depends on the production method." in split_glued_words(text)


def test_real_long_words_and_rare_compounds_stay_whole():
    text = PAPER + "\nElectrorheological behaviour and thermoluminescence of polymethylmethacrylate"
    assert split_glued_words(text) == text
    # A common word is never split off a word the paper does not print alone ("a" + "llows").
    assert split_glued_words(PAPER + " allowsthemediumtobestudied") == PAPER + " allowsthemediumtobestudied"
    # A word cut into short pieces the paper happens to print ("we", "at", "her", "ing"), and an identifier.
    assert split_glued_words(PAPER + " we at her ing. Grains and weathering") == PAPER + " we at her ing. Grains and weathering"
    identifier = PAPER + " calls absorptionBandsObservedInTheMedium here"
    assert split_glued_words(identifier) == identifier


def test_clean_pages_splits_glued_words_in_the_body():
    pages = [PAPER + "\nthe absorptionbandsobservedinthemedium are identified.", "More text on page two."]
    assert "absorption bands observed in the medium are identified" in clean_pages(pages)
