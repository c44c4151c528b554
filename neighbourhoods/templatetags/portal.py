import hashlib
import json
import secrets

from django import template
from django.core.cache import caches
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def distance(d) -> str:
    """A Distance as people say it: '580 metres', '1.8 km'."""
    metres = d.m if hasattr(d, "m") else float(d)
    rounded = round(metres / 10) * 10
    if rounded < 1000:
        return f"{rounded:.0f} metres"
    return f"{metres / 1000:.1f} km"


# --- The lookup answer, rendered once per answer --------------------------------------------

# Stands in for the request's CSP nonce while an answer is rendered for the cache, and is
# replaced by each request's own nonce when it is served. Random per process: no page holds it.
NONCE_PLACEHOLDER = f"nonce-{secrets.token_hex(16)}"


class _NonceStandIn:
    """The request, with the placeholder for its CSP nonce."""

    csp_nonce = NONCE_PLACEHOLDER

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)


def answer_key(result, map_data) -> str:
    """Everything a lookup answer's page shows comes from these values (with the code and
    settings), so two requests with the same key get the same page, whatever changed
    between them: a changed answer is a different key, and nothing needs clearing."""
    record, district = result.record, result.district
    parts = [
        str(result.outcome), result.query, result.partial, str(result.postcode or ""),
        [record.postcode, record.terminated, record.terminated_on, record.local_authority_code,
         record.lsoa_id, record.answer] if record else None,
        [district.outcode, district.outside, district.no_neighbourhood,
         [(s.neighbourhood.pk, s.neighbourhood.name, s.neighbourhood.slug, s.postcodes)
          for s in district.shares]] if district else None,
        # The answer as shown, beside the row it came from.
        str(result.location or ""),
        [result.neighbourhood.pk, result.neighbourhood.name, result.neighbourhood.slug]
        if result.neighbourhood else None,
        [result.local_authority.gss_code, result.local_authority.name,
         result.local_authority.nhs_body] if result.local_authority else None,
        [vars(p) for p in result.practices],
        map_data,
    ]  # fmt: skip
    # The placeholder is this process's own: an entry is never served with another's.
    parts.append(NONCE_PLACEHOLDER)
    text = json.dumps(parts, default=str, sort_keys=True, separators=(",", ":"))
    return "lookup-answer:" + hashlib.sha256(text.encode()).hexdigest()


class AnswerCacheNode(template.Node):
    def __init__(self, nodelist, result, map_data):
        self.nodelist, self.result, self.map_data = nodelist, result, map_data

    def render(self, context):
        result = self.result.resolve(context)
        request = context.get("request")
        # A point is where someone is, and rarely asked twice: it is never kept.
        if result is None or result.is_point or request is None:
            return self.nodelist.render(context)
        key = answer_key(result, self.map_data.resolve(context))
        # The memberships' release is shown beside the practices: a new one is a new page.
        key += f":{context.get('membership_release') or ''}"
        store = caches["answers"]
        html = store.get(key)
        if html is None:
            with context.push(request=_NonceStandIn(request)):
                html = self.nodelist.render(context)
            store.set(key, html)
        if NONCE_PLACEHOLDER in html:
            html = html.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
        return mark_safe(html)


@register.tag
def answer_cache(parser, token):
    """{% answer_cache result map_data %}…{% endanswer_cache %}: the part of the lookup page
    that shows the answer, rendered once per distinct answer in each process (the `answers`
    cache) and served again with the request's own CSP nonce."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("answer_cache takes the result and the map data")
    nodelist = parser.parse(("endanswer_cache",))
    parser.delete_first_token()
    return AnswerCacheNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))
