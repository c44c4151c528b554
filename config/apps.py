from django.contrib.admin.apps import AdminConfig
from django.contrib.staticfiles.apps import StaticFilesConfig


class PortalStaticFilesConfig(StaticFilesConfig):
    """collectstatic leaves out what the NHS.UK frontend's package carries for builders, not
    browsers: its component sources, Sass, Nunjucks templates, type declarations and the
    unminified bundles. The pages use its minified CSS and JavaScript and its assets only, so
    every start of the server compresses about 200 files rather than about 3,000."""

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        # Folders of the package's sources (no folder of ours or of an app's is so named).
        "components", "common", "core", "lib", "macros", "errors",
        "*.mts", "*.mts.map", "*.mjs", "*.mjs.map", "*.scss", "*.scss.map", "*.njk",
        "nhsuk-frontend-*", "nhsuk-frontend.css", "nhsuk-frontend.css.map",
        "nhsuk-frontend.js", "nhsuk-frontend.js.map", "nhsuk-frontend-dynamic-type*",
        "nhsuk.js", "nhsuk.js.map", "index.js", "index.js.map", "i18n.js", "i18n.js.map",
        "component.js", "component.js.map", "configurable-component.js",
        "configurable-component.js.map",
    ]  # fmt: skip


class PortalAdminConfig(AdminConfig):
    """Django's admin, whose site asks for the second factor (config/second_factor.py)."""

    default_site = "config.second_factor.AdminSite"
