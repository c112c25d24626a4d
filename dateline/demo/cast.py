"""The fixed cast of the demo newsroom: sections, authors and sources.

Everything here is invented. Story texts live in ``stories_*.py`` and refer to
these entries by slug.
"""

# (name, slug, description); the order is the site's section order.
SECTIONS = [
    ("World", "world", "Reporting from capitals, borders and the places between them."),
    ("Politics", "politics", "Parliaments, councils, campaigns and the people who run them."),
    ("Business", "business", "Companies, markets, work and money."),
    ("Technology", "technology", "Software, networks, devices and the people who build them."),
    ("Science", "science", "Discoveries, research and the people behind them."),
    ("Health", "health", "Medicine, public health and care."),
    ("Environment", "environment", "Climate, weather, nature and energy."),
    ("Sport", "sport", "Results, clubs, athletes and the games they play."),
    ("Culture", "culture", "Books, film, music, theatre and art."),
]

# (name, slug, short bio)
AUTHORS = [
    ("Maren Holloway", "maren-holloway", "Foreign correspondent covering diplomacy and trade."),
    ("Tomasz Reiner", "tomasz-reiner", "Political editor; before that ten years at city hall."),
    ("Adaeze Okafor", "adaeze-okafor", "Business reporter writing about markets and small firms."),
    ("Lucía Ferrand", "lucia-ferrand", "Science and health correspondent."),
    ("Jonah Whitcombe", "jonah-whitcombe", "Technology reporter."),
    ("Priya Raman", "priya-raman", "Environment correspondent based on the coast."),
    ("Callum Drury", "callum-drury", "Sports writer who has covered six championships."),
    ("Ines Vasquez-Loh", "ines-vasquez-loh", "Arts and culture critic."),
]

# (name, slug, kind, homepage); kind is "agency" or "publication".
SOURCES = [
    ("Meridian Press Agency", "meridian-press", "agency", "https://meridian-press.example/"),
    ("Northgate Newswire", "northgate-newswire", "agency", "https://northgate.example/"),
    ("Pacific Rim Wire", "pacific-rim-wire", "agency", "https://pacificrim-wire.example/"),
    ("Continental News Service", "continental-news", "agency", "https://cns.example/"),
    ("The Harbour Ledger", "harbour-ledger", "publication", "https://harbourledger.example/"),
    ("Valley Courier", "valley-courier", "publication", "https://valleycourier.example/"),
    ("Eastern Lantern", "eastern-lantern", "publication", "https://easternlantern.example/"),
]
