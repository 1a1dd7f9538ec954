"""Every registered variant's docstring names its paper and says what it changes."""

import re

import pytest

import keras_gans as kg

# The first author and year of each variant's paper, as its docstring must cite them. A
# variant registered later is held to the generic checks below until it is added here.
PAPERS = {
    "gan": ("Goodfellow", 2014), "dcgan": ("Radford", 2016), "wgan": ("Arjovsky", 2017),
    "wgan-gp": ("Gulrajani", 2017), "progan": ("Karras", 2018), "stylegan": ("Karras", 2019),
    "biggan": ("Brock", 2019), "cyclegan": ("Zhu", 2017), "srgan": ("Ledig", 2017),
    "simgan": ("Shrivastava", 2017), "srresnet": ("Ledig", 2017), "tabular-gan": ("Xu", 2019),
    "radialgan": ("Yoon", 2018), "cgan": ("Mirza", 2014), "acgan": ("Odena", 2017),
    "ebgan": ("Zhao", 2017), "sgan": ("Salimans", 2016),
}

YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A capitalised surname followed by "et al." or by a list of names ending "& Name" (with
# particles such as "van der"), then the year, in brackets or not.
AUTHORS = re.compile(r"\b[A-Z][\w-]+(?: et al\.|(?:,\s+[A-Z][\w-]+)*,?\s+&\s+(?:[a-z]+\s+)*"
                     r"[A-Z][\w-]+)[\s,]*\(?(?:19|20)\d\d\b")
TITLE = re.compile(r'"[A-Z][^"]{10,}"')
DIFFERENCE = re.compile(r"differ|instead|replace|adds?\b|changes?\b", re.IGNORECASE)


def _own_doc(cls):
    # A class's __doc__ is not inherited, but make sure it is the class's own.
    doc = cls.__dict__.get("__doc__")
    assert doc, f"{cls.__name__} has no docstring of its own"
    return doc


@pytest.mark.parametrize("name", sorted(kg.models.VARIANTS))
def test_docstring_names_paper_authors_year_and_title(name):
    doc = _own_doc(kg.models.VARIANTS[name])
    assert YEAR.search(doc), f"{name}: no year (19xx/20xx) in the docstring"
    assert AUTHORS.search(doc), f"{name}: no author list ('X et al.' or 'X, Y & Z') with a year"
    assert TITLE.search(doc), f'{name}: no quoted paper title ("...")'


@pytest.mark.parametrize("name", sorted(kg.models.VARIANTS))
def test_docstring_says_what_differs(name):
    doc = _own_doc(kg.models.VARIANTS[name])
    assert DIFFERENCE.search(doc), f"{name}: the docstring does not say what the paper changes"
    assert len(doc.split()) >= 40, f"{name}: the docstring is too short to explain its game"


@pytest.mark.parametrize("name", sorted(PAPERS))
def test_docstring_cites_the_right_paper(name):
    if name not in kg.models.VARIANTS:
        pytest.skip(f"{name} is not registered")
    author, year = PAPERS[name]
    first_paragraph = _own_doc(kg.models.VARIANTS[name]).split("\n\n")[0]
    assert author in first_paragraph and str(year) in first_paragraph, (
        f"{name}: the docstring's first paragraph should cite {author} ({year})")


def test_checks_can_fail():
    # The patterns reject a docstring without a citation.
    bare = "A GAN that differs from the plain loop: it uses another loss instead."
    assert not AUTHORS.search(bare) and not TITLE.search(bare) and not YEAR.search(bare)
    cited = 'GAN of Goodfellow, Pouget-Abadie & Bengio (2014), "Generative Adversarial Nets".'
    assert AUTHORS.search(cited) and TITLE.search(cited)
    assert AUTHORS.search('Large GAN of Brock et al. (2019), "Large Scale GAN Training".')
