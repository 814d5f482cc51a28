from django.utils.functional import SimpleLazyObject

from naboskap.tenancy.selectors import (
    has_several_municipalities,
    municipalities_of,
    staff_municipality,
)

STAFF_PATH = "/app/"


def municipality(request):
    """`municipality`: the public site's (host or /k/ prefix); on staff pages the one the
    staff member works in. `staff_municipalities`: all of theirs when they have several (for
    the header's switcher), else empty. Both lazy: pages that show neither pay nothing."""
    public = getattr(request, "municipality", None)
    if not request.path_info.startswith(STAFF_PATH) or not hasattr(request, "user"):
        return {"municipality": public, "staff_municipalities": ()}
    return {
        "municipality": SimpleLazyObject(lambda: staff_municipality(request) or public),
        "staff_municipalities": SimpleLazyObject(lambda: _switchable(request.user)),
    }


def _switchable(user) -> list:
    return municipalities_of(user) if has_several_municipalities(user) else []
