"""The staff roles, as Django groups (created by migration neighbourhoods 0010_roles).

- **Editors** keep the content true: partners, places, priorities, work programmes, health
  challenges, workstreams and their priorities, neighbourhood aims and the text of each
  neighbourhood. They save their changes as drafts and preview them; they cannot put them
  in front of residents, nor take them away: they do not delete a record, nor restore one
  from Deleted records. They add sources, but a change to a source is live on every page
  that names it, so changing or deleting one is a Publisher's (drafting.LiveAsSavedAdmin).
  They can read the practices and areas, and restore earlier versions of the content they
  edit (as a draft). They read and handle the messages sent through the contact form.
- **Publishers** may do all an Editor may, and publish: now, or at a date and time, take a
  page down, delete a record and restore it from Deleted records (docs/history.md, Drafts).
- **Data managers** keep the data true: areas (LSOAs), practices, memberships, postcodes and
  local authorities, and publish their changes to practices' text and contact details;
  they upload new releases of the open data, preview and apply them; they
  read the import runs and the boundary versions, and can restore earlier versions of what
  they manage.
- **Viewers** can read everything in the admin but the messages from the contact form, and its
  history, and change nothing.

Each role's permissions are listed here once, as (app label, model name, actions). "history"
is the audit trail: "view" reads it, "change" restores an earlier version. Publishing is one
permission, `partnership.publish_draft` (PUBLISH): the admin of every record residents read
(neighbourhoods.audit.drafting.DraftedAdmin) asks for it, as well as "delete", to delete a
record or restore it from Deleted records, and as well as "change" to take a page down.
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
# Drafts: kept and listed for every role that edits; published by Publishers and Data managers.
DRAFTS = [("partnership", "draft")]
PUBLISH = ("partnership", "draft", ("publish",))
# Models with a history (their "historical…" permissions), from the trail's one list.
AUDITED = {name.lower() for _, name in HISTORIES}
EVERYTHING = [
    *CONTENT,
    ("neighbourhoods", "neighbourhood"),
    *DATA,
    *RELEASES,
    *READ_ONLY_RECORDS,
    *DRAFTS,
]


def _history(models, actions):
    return [(app, f"historical{m}", actions) for app, m in models if m in AUDITED]


# Messages from the contact form: Editors (and Publishers) read them and handle them (mark
# them in hand or closed); the scheduler deletes closed ones. Personal data (a reply-to
# email), so not for Viewers, who read everything else.
MESSAGES = [("partnership", "contactmessage")]

EDITORS = [
    *[(app, m, ("change", "view")) for app, m in MESSAGES],
    # "delete" lets an Editor mark a part of a page deleted in a draft of it (a place's
    # priority, a workstream's), which happens when a Publisher publishes the draft; deleting
    # a drafted record itself also needs PUBLISH. (A source, which has no draft, is changed
    # and deleted at once.)
    *[(app, m, ("add", "change", "delete", "view")) for app, m in CONTENT],
    ("neighbourhoods", "neighbourhood", ("change", "view")),
    ("redirects", "redirect", ("add", "change", "delete", "view")),
    *[(app, m, ("view",)) for app, m in DATA],
    *_history([*CONTENT, ("neighbourhoods", "neighbourhood")], ("change", "view")),
    *_history(DATA, ("view",)),
    *[(app, m, ("view", "delete")) for app, m in DRAFTS],
]

ROLES = {
    "Editors": EDITORS,
    "Publishers": [*EDITORS, PUBLISH],
    "Data managers": [
        *[(app, m, ("add", "change", "delete", "view")) for app, m in DATA],
        *[(app, m, ("view", "delete")) for app, m in DRAFTS],
        PUBLISH,
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
