"""Content corrections for databases loaded before them (fixtures/content.json has them too).
Each replaces the old text only where it is still as the fixtures first gave it, so a text
staff have since edited is left as they wrote it.

- The home page's child obesity figure: "over 40% of Year 6 children in Hackney were obese"
  was the National Child Measurement Programme's overweight-including-obese share; obesity
  alone is about a quarter. Both are now given, with the year and the source.
- Islington was called the most densely populated borough in the United Kingdom; in the 2021
  Census Tower Hamlets is, and Islington is second.
- The resident figure (267,800) is the 2021 Census's, and now says so.

The cached pages are dropped, so the home page is not served from before the change.
"""

from django.core.cache import cache
from django.db import DatabaseError, migrations, transaction

OBESITY_OLD = (
    "Many adults and children are obese: an older NHS City and Hackney CCG page (about 2018) "
    "said over 40% of Year 6 children in Hackney were obese."
)
OBESITY_NEW = (
    "Many adults and children are overweight or obese. In the National Child Measurement "
    "Programme for the 2022/23 school year (NHS England), about 4 in 10 Year 6 children in "
    "Hackney were overweight or obese, and about 1 in 4 were obese. An older NHS page gave the "
    "first of these figures as the share who were obese, which it is not."
)
NCMP = {
    "key": "ncmp-2022-23",
    "title": "National Child Measurement Programme, England, 2022/23 school year",
    "publisher": "NHS England",
    "published": "October 2023",
    "url": "https://digital.nhs.uk/data-and-information/publications/statistical/"
    "national-child-measurement-programme/2022-23-school-year",
    "notes": "Taken: the shares of Year 6 children in Hackney who were overweight or obese "
    "(about 4 in 10) and obese (about 1 in 4), rounded as the page gives them. Replaces an "
    "older CCG page's 'over 40% of Year 6 children are obese', which quoted the "
    "overweight-or-obese share as the obese one.",
}
ISLINGTON_OLD = (
    "An older NHS page described it as the most densely populated borough in the United "
    "Kingdom, with many people moving in and out and many residents living with long-term "
    "conditions."
)
ISLINGTON_NEW = (
    "In the 2021 Census it was the second most densely populated local authority area in "
    "England and Wales, after Tower Hamlets (Office for National Statistics). Many people move "
    "in and out, and many residents live with long-term conditions."
)
RESIDENTS_OLD = (
    "From NHS North East London's City and Hackney page: 259,200 people live in Hackney and "
    "8,600 in the City of London."
)
RESIDENTS_NEW = (
    "From the 2021 Census (Office for National Statistics): 259,200 people lived in Hackney "
    "and 8,600 in the City of London on Census Day, 21 March 2021. NHS North East London's "
    "City and Hackney page gives the same figures."
)


def correct(apps, schema_editor):
    Source = apps.get_model("partnership", "Source")
    Place = apps.get_model("partnership", "Place")
    HealthChallenge = apps.get_model("partnership", "HealthChallenge")
    if not Place.objects.exists():
        return  # nothing loaded yet: load_content brings the corrected fixtures
    challenges = HealthChallenge.objects.filter(description=OBESITY_OLD)
    if challenges.exists():
        ncmp = Source.objects.filter(key=NCMP["key"]).first() or Source.objects.create(**NCMP)
        challenges.update(description=OBESITY_NEW, source=ncmp)
    for place in Place.objects.filter(description__contains=ISLINGTON_OLD):
        place.description = place.description.replace(ISLINGTON_OLD, ISLINGTON_NEW)
        place.save(update_fields=["description"])
    Place.objects.filter(residents_note=RESIDENTS_OLD).update(residents_note=RESIDENTS_NEW)
    try:
        with transaction.atomic():
            cache.clear()
    except DatabaseError:
        pass  # no cache table yet (`createcachetable` runs after `migrate`): nothing cached


class Migration(migrations.Migration):
    dependencies = [("partnership", "0009_drafts_and_publishable")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
