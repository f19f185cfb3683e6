"""The stamps the rate tables name, marked for translation with their plurals.

A rate table names its stamps in English (``[stamps.<id>] name = "Global Forever stamp"``),
where pybabel cannot find them; stamp advice shows them after a number or a price ("2
Global Forever stamps", "£3.20 international stamp"). So every name a table uses is
listed here with its English plural (a test checks that none is missing), and the views
translate it with ``ngettext``. Add a stamp here when a table names a new one.
"""

from app.services.errors import Nn_

# TRANSLATORS: the name of a stamp, after a number or a price: "2 Global Forever stamps",
# "£3.20 international stamp". Forever, Global Forever and Permanent are brand names.
_NAMES = (
    Nn_("Forever stamp", "Forever stamps"),
    Nn_("Global Forever stamp", "Global Forever stamps"),
    Nn_("postcard stamp", "postcard stamps"),
    Nn_("First Class stamp", "First Class stamps"),
    Nn_("Second Class stamp", "Second Class stamps"),
    Nn_("international stamp", "international stamps"),
    Nn_("Permanent domestic stamp", "Permanent domestic stamps"),
    Nn_("postage meter imprint", "postage meter imprints"),
    # TRANSLATORS: Lettre verte, Lettre prioritaire, A Mail, B Mail, Nederland 1, Prior,
    # Non Prior and Tarifa A/B are the names printed on French, Swiss, Dutch, Belgian and
    # Spanish stamps; keep them as they are.
    Nn_("Lettre verte stamp", "Lettre verte stamps"),
    Nn_("Lettre prioritaire stamp", "Lettre prioritaire stamps"),
    Nn_("A Mail stamp", "A Mail stamps"),
    Nn_("B Mail stamp", "B Mail stamps"),
    Nn_("Nederland 1 stamp", "Nederland 1 stamps"),
    Nn_("Belgium stamp", "Belgium stamps"),
    Nn_("Non Prior stamp", "Non Prior stamps"),
    Nn_("Prior stamp", "Prior stamps"),
    Nn_("Europe stamp", "Europe stamps"),
    Nn_("World stamp", "World stamps"),
    Nn_("Tarifa A stamp", "Tarifa A stamps"),
    Nn_("Tarifa B stamp", "Tarifa B stamps"),
)

# The name as a table writes it -> (singular, plural), the msgid pair of its catalog entry.
STAMP_NAMES: dict[str, tuple[str, str]] = {
    singular: (singular, plural) for singular, plural in _NAMES
}


def forms(name: str) -> tuple[str, str]:
    """Return the singular and plural of the stamp *name* as a table writes it.

    A name missing from :data:`STAMP_NAMES` still reads well in English (plural with "s");
    it stays untranslated until it is added here.
    """
    return STAMP_NAMES.get(name, (name, f"{name}s"))
