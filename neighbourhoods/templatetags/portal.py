from django import template

register = template.Library()


@register.filter
def distance(d) -> str:
    """A Distance as people say it: '580 metres', '1.8 km'."""
    metres = d.m if hasattr(d, "m") else float(d)
    rounded = round(metres / 10) * 10
    if rounded < 1000:
        return f"{rounded:.0f} metres"
    return f"{metres / 1000:.1f} km"
