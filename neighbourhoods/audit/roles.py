"""The staff roles, as Django groups (created by migration neighbourhoods 0010_roles).

- **Editors** keep the content true: partners, places, priorities, work programmes, health
  challenges, workstreams and their priorities, sources, neighbourhood aims and the text of
  each neighbourhood. They can read the practices and areas, and restore earlier versions
  of the content they edit.
- **Data managers** keep the data true: areas (LSOAs), practices, memberships, postcodes and
  local authorities; they upload new releases of the open data, preview and apply them; they
  read the import runs and the boundary versions, and can restore earlier versions of what
  they manage.
- **Viewers** can read everything in the admin, and its history, and change nothing.

Each role's permissions are listed here once, as (app label, model name, actions). "history"
is the audit trail: "view" reads it, "change" restores an earlier version.
"""

from .trail import HISTORIES

CONTENT = [
    ("partnership", "place"),
    ("partnership", "partnerorganisation"),
    ("partnership", "priority"),
    ("partnership", "workprogramme"),
    ("partnership", "healthchallenge"),
    ("partnership", "source"),
    ("workstreams", "workstream"),
    ("workstreams", "workstreampriority"),
    ("neighbourhoods", "neighbourhoodaim"),
]
DATA = [
    ("neighbourhoods", "lsoa"),
    ("neighbourhoods", "practice"),
    ("neighbourhoods", "membership"),
    ("neighbourhoods", "postcode"),
    ("neighbourhoods", "localauthority"),
]
# Releases of the open data, uploaded, previewed and applied from the admin.
RELEASES = [("neighbourhoods", "datarelease")]
READ_ONLY_RECORDS = [
    ("neighbourhoods", "importrun"),
    ("neighbourhoods", "boundaryversion"),
    ("neighbourhoods", "boundaryversionarea"),
    ("redirects", "redirect"),
]
# Models with a history (their "historical…" permissions), from the trail's one list.
AUDITED = {name.lower() for _, name in HISTORIES}
EVERYTHING = [*CONTENT, ("neighbourhoods", "neighbourhood"), *DATA, *RELEASES, *READ_ONLY_RECORDS]


def _history(models, actions):
    return [(app, f"historical{m}", actions) for app, m in models if m in AUDITED]


ROLES = {
    "Editors": [
        *[(app, m, ("add", "change", "delete", "view")) for app, m in CONTENT],
        ("neighbourhoods", "neighbourhood", ("change", "view")),
        ("redirects", "redirect", ("add", "change", "delete", "view")),
        *[(app, m, ("view",)) for app, m in DATA],
        *_history([*CONTENT, ("neighbourhoods", "neighbourhood")], ("change", "view")),
        *_history(DATA, ("view",)),
    ],
    "Data managers": [
        *[(app, m, ("add", "change", "delete", "view")) for app, m in DATA],
        ("neighbourhoods", "neighbourhood", ("view",)),
        *[(app, m, ("view",)) for app, m in READ_ONLY_RECORDS],
        *[(app, m, ("add", "view", "apply")) for app, m in RELEASES],
        *_history(DATA, ("change", "view")),
        *_history([*CONTENT, ("neighbourhoods", "neighbourhood")], ("view",)),
    ],
    "Viewers": [
        *[(app, m, ("view",)) for app, m in EVERYTHING],
        *_history(EVERYTHING, ("view",)),
    ],
}


def grant_roles(apps):
    """Create the groups and give each exactly its permissions (run again, it puts back any
    permission added or taken away by hand)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        # A migration runs this on the models of its own state: permissions of models made
        # by later migrations are granted by the migration that runs it again after them.
        wanted = [
            permission
            for app, model, actions in grants
            for permission in permission_model.objects.filter(
                content_type__app_label=app, codename__in=[f"{a}_{model}" for a in actions]
            )
        ]
        group.permissions.set(wanted)
