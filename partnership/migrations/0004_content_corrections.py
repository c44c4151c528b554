"""Content corrections for databases loaded before them (fixtures/content.json has them too).

- Hospitals elsewhere that residents use are marked as based outside the area, so the
  partners page no longer lists Derman and Bikur Cholim (local voluntary mental health
  services in the neighbourhood teams) among organisations "from outside the area".
- Islington Council belongs to the Islington place only, never to City and Hackney.
- NHS North East London's role names its "Sub-ICB location" code with plain words beside it.
- Every content record gets the date this review checked it.
"""

import datetime

from django.db import migrations

REVIEWED_ON = datetime.date(2026, 11, 22)
OUTSIDE_AREA = [
    "barts-health",
    "whittington-health",
    "moorfields-eye-hospital",
    "university-college-london-hospitals",
]
ISLINGTON_ONLY = ["islington-council"]
SUB_ICB_OLD = "In NHS records, City and Hackney is its Sub-ICB location A3A8R."
SUB_ICB_NEW = (
    "NHS records call the part of NHS North East London that covers City and Hackney a "
    "Sub-ICB location, with the code A3A8R."
)


def correct(apps, schema_editor):
    Partner = apps.get_model("partnership", "PartnerOrganisation")
    Place = apps.get_model("partnership", "Place")
    Neighbourhood = apps.get_model("neighbourhoods", "Neighbourhood")
    Workstream = apps.get_model("workstreams", "Workstream")

    Partner.objects.filter(slug__in=OUTSIDE_AREA).update(based_outside_area=True)
    main = Place.objects.order_by("order", "pk").first()
    if main is not None and main.slug != "islington":
        for partner in Partner.objects.filter(slug__in=ISLINGTON_ONLY):
            partner.places.remove(main)
    for partner in Partner.objects.filter(role_in_partnership__contains=SUB_ICB_OLD):
        partner.role_in_partnership = partner.role_in_partnership.replace(SUB_ICB_OLD, SUB_ICB_NEW)
        partner.save(update_fields=["role_in_partnership"])
    for model in (Partner, Place, Neighbourhood, Workstream):
        model.objects.filter(reviewed_on__isnull=True).update(reviewed_on=REVIEWED_ON)


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0003_reviewed_on_and_partner_groups"),
        ("neighbourhoods", "0005_reviewed_on_lsoa_protect"),
        ("workstreams", "0002_reviewed_on"),
    ]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
