"""Every URL × every persona: what status each one gets.

When you add a URL, add it to MATRIX (or, for a third-party URL, make sure it is covered by
`test_third_party_urls_never_fail`): `test_every_url_is_in_the_matrix` fails until you do.
Objects outside a user's reach answer 404, never 403, so their existence does not leak.
"""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from naboskap.conftest import PERSONAS
from naboskap.projects.models import Subscription
from naboskap.testing.factories import make_concern, make_photo

# Third-party URL modules, covered by `test_third_party_urls_never_fail`.
THIRD_PARTY_MODULES = ("django.contrib.admin", "allauth")

STAFF = {"admin", "coordinator", "case_handler", "facility_staff", "police", "politician"}
MANAGERS = {"admin", "coordinator"}
WRITERS = MANAGERS | {"facility_staff"}


def expect(ok=200, *, allowed, anonymous=302, denied=403, outsider=404):
    """Statuses per persona: `allowed` get `ok`; the outsider (another municipality) 404."""
    statuses = {"anonymous": anonymous, "outsider": outsider}
    for persona in STAFF:
        statuses[persona] = ok if persona in allowed else denied
    return statuses


EVERYONE_200 = dict.fromkeys(PERSONAS, 200)


def subscription_token(world):
    return Subscription.objects.create(project=world.project, email="nabo@example.org").token


def concern_pk(world):
    return make_concern(world.project, reporter_email="nabo@example.org").pk


def concern_photo(world):
    concern = make_concern(world.project, reporter_email="nabo@example.org")
    return {"pk": concern.pk, "photo_pk": make_photo(concern).pk}


def reported(world):
    """One concern per test for the reporter's follow-up pages (the URL and its token)."""
    if not hasattr(world, "reported"):
        world.reported = make_concern(world.project, reporter_email="nabo@example.org")
    return world.reported


def reference(world):
    return {"reference": reported(world).reference}


def token(world, **data):
    return {"t": reported(world).token, **data}


# Concerns: municipality-wide admins and coordinators, the project's facility staff, and the
# case handlers of the unit it is routed to (the project's responsible unit here, which is
# not the case-handler persona's unit).
CONCERN_HANDLERS = {"admin", "coordinator", "facility_staff"}


# name: (method, kwargs builder, expected statuses per persona[, data builder])
# The optional data builder gives the query string of a GET, or the form data of a POST.
MATRIX = {
    "concerns:inbox": (
        "get",
        lambda w: {},
        expect(allowed=CONCERN_HANDLERS | {"case_handler"}, outsider=200),
    ),
    "concerns:bulk_assign": (
        "post",
        lambda w: {},
        expect(302, allowed=CONCERN_HANDLERS | {"case_handler"}, outsider=302),
    ),
    "concerns:detail": (
        "get",
        lambda w: {"pk": concern_pk(w)},
        expect(allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:photo": (
        "get",
        lambda w: concern_photo(w),
        expect(allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:transition": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(400, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:message": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(400, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:merge": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(302, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "concerns:assign": (
        "post",
        lambda w: {"pk": concern_pk(w)},
        expect(302, allowed=CONCERN_HANDLERS, denied=404),
    ),
    "healthz": ("get", lambda w: {}, EVERYONE_200),
    "set_language": ("post", lambda w: {}, dict.fromkeys(PERSONAS, 302)),
    "open311:services": ("get", lambda w: {"fmt": "json"}, EVERYONE_200),
    "open311:service_definition": (
        "get",
        lambda w: {"code": "noise", "fmt": "json"},
        EVERYONE_200,
    ),
    "open311:requests": ("get", lambda w: {"fmt": "json"}, EVERYONE_200),
    "open311:request": (
        "get",
        lambda w: {"reference": make_concern(w.project).reference, "fmt": "json"},
        EVERYONE_200,
    ),
    "open311:not_found": ("get", lambda w: {"rest": "nothing-here"}, dict.fromkeys(PERSONAS, 404)),
    "portal:home": ("get", lambda w: {}, EVERYONE_200),
    "portal:feed": ("get", lambda w: {}, EVERYONE_200),
    "portal:project": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:project_updates": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:project_feed": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:subscribe": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:subscription_confirm": (
        "get",
        lambda w: {"token": subscription_token(w)},
        EVERYONE_200,
    ),
    "portal:unsubscribe": ("get", lambda w: {"token": subscription_token(w)}, EVERYONE_200),
    "portal:report": ("get", lambda w: {}, EVERYONE_200),
    "portal:project_report": ("get", lambda w: {"slug": w.project.slug}, EVERYONE_200),
    "portal:concern_follow_up": ("get", reference, EVERYONE_200, token),
    "portal:concern_reply": (
        "post",
        reference,
        dict.fromkeys(PERSONAS, 302),
        lambda w: token(w, body="Det skjedde igjen."),
    ),
    "portal:concern_erase_contact": ("post", reference, dict.fromkeys(PERSONAS, 302), token),
    # Not answered yet: rating and reopening are refused, alike for everyone.
    "portal:concern_satisfaction": (
        "post",
        reference,
        dict.fromkeys(PERSONAS, 400),
        lambda w: token(w, score="4"),
    ),
    "portal:concern_reopen": (
        "post",
        reference,
        dict.fromkeys(PERSONAS, 400),
        lambda w: token(w, reason="Det skjer fortsatt."),
    ),
    "projects:my_projects": (
        "get",
        lambda w: {},
        expect(allowed=STAFF, outsider=200),
    ),
    "projects:create": ("get", lambda w: {}, expect(allowed=MANAGERS, outsider=200)),
    "projects:detail": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "projects:edit": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "projects:phase": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=MANAGERS)),
    "projects:updates": ("get", lambda w: {"pk": w.project.pk}, expect(allowed=STAFF)),
    "projects:update_create": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=WRITERS),
    ),
    "projects:update_edit": (
        "get",
        lambda w: {"pk": w.project.pk, "update_pk": w.update.pk},
        expect(allowed=WRITERS),
    ),
    "projects:update_delete": (
        "post",
        lambda w: {"pk": w.project.pk, "update_pk": w.update.pk},
        expect(302, allowed=WRITERS),
    ),
    "projects:contact_create": (
        "get",
        lambda w: {"pk": w.project.pk},
        expect(allowed=MANAGERS),
    ),
    "projects:contact_edit": (
        "get",
        lambda w: {"pk": w.project.pk, "cp_pk": w.contact_point.pk},
        expect(allowed=MANAGERS),
    ),
    "projects:contact_delete": (
        "post",
        lambda w: {"pk": w.project.pk, "cp_pk": w.contact_point.pk},
        expect(302, allowed=MANAGERS),
    ),
}


def walk(patterns, namespace="", module_filter=None):
    """Yield (name, pattern, module) for every named URL pattern below `patterns`."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "") or ""
            yield (f"{namespace}{entry.name}" if entry.name else None, entry, module)


def own_url_names():
    names = set()
    for name, _pattern, module in walk(get_resolver().url_patterns):
        if module.startswith(THIRD_PARTY_MODULES) or name is None:
            continue
        if name.startswith("admin:"):
            continue
        names.add(name)
    return names


def test_every_url_is_in_the_matrix():
    missing = own_url_names() - set(MATRIX)
    assert not missing, f"Add these URLs to the permission matrix: {sorted(missing)}"
    stale = set(MATRIX) - own_url_names()
    assert not stale, f"These matrix entries have no URL any more: {sorted(stale)}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_permissions(name, persona, world, persona_clients):
    method, kwargs_for, statuses, *data_for = MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(world))
    data = data_for[0](world) if data_for else None
    response = getattr(persona_clients[persona], method)(url, data)
    assert response.status_code == statuses[persona], (
        f"{persona} {method.upper()} {url}: {response.status_code}"
    )
    if statuses[persona] == 302 and persona == "anonymous" and name.startswith("projects:"):
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["projects:detail", "projects:edit", "projects:updates"])
def test_outsider_cannot_reach_other_municipalitys_project_by_id(name, world, persona_clients):
    """The coordinator of Annenby reaches their own project but not Fjordby's."""
    own = persona_clients["outsider"].get(reverse(name, kwargs={"pk": world.other_project.pk}))
    foreign = persona_clients["outsider"].get(reverse(name, kwargs={"pk": world.project.pk}))
    assert own.status_code == 200
    assert foreign.status_code == 404


def third_party_urls():
    for name, pattern, module in walk(get_resolver().url_patterns):
        if name and module.startswith(THIRD_PARTY_MODULES) and not pattern.pattern.converters:
            yield name


@pytest.mark.parametrize("persona", ["anonymous", "coordinator", "outsider"])
def test_third_party_urls_never_fail(persona, world, persona_clients):
    """allauth and the Django admin: no parameterless URL gives a server error or leaks."""
    client = persona_clients[persona]
    for name in sorted(set(third_party_urls())):
        try:
            url = reverse(name)
        except NoReverseMatch:  # a regex pattern with unnamed groups needs arguments
            continue
        response = client.get(url)
        assert response.status_code < 500, f"{persona} GET {url}: {response.status_code}"
        if name.startswith("admin:") and name != "admin:login":
            # Nobody but a Django superuser gets into the admin.
            assert response.status_code in {302, 404}, f"{persona} GET {url}"


def test_a_superuser_reaches_only_what_their_memberships_give(world):
    """Django's superuser flag opens the admin, not other municipalities' staff pages."""
    from naboskap.conftest import client_for

    user = world.users["coordinator"]
    user.is_superuser = True
    user.save()
    client = client_for(user)
    assert client.get(reverse("projects:detail", args=[world.project.pk])).status_code == 200
    foreign = client.get(reverse("projects:detail", args=[world.other_project.pk]))
    assert foreign.status_code == 404
