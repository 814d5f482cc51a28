"""The staff menu on a phone: a "Menu" button (a native popover, Designsystemet's Dropdown)
that opens the work menu as a list, by keyboard, tells whether it is open, and traps no focus;
on a wide screen the menu is a line of links, as before. axe runs with the menu open."""

import pytest
from django.urls import reverse

from naboskap.testing.browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
MENU = "#staff-menu"
TOGGLE = ".staff-menu__toggle"


def expanded(page) -> bool | None:
    """The toggle's expanded state as the browser gives it to assistive technology."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    for node in nodes:
        if node.get("role", {}).get("value") != "button":
            continue
        properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        if (
            "expanded" in properties
            and node.get("name", {}).get("value") == page.locator(TOGGLE).inner_text().strip()
        ):
            return properties["expanded"]
    return None


def is_open(page) -> bool:
    return page.evaluate(f"document.querySelector('{MENU}').matches(':popover-open')")


def focused(page) -> str:
    return page.evaluate(
        "document.activeElement.getAttribute('href') || document.activeElement.className"
    )


def test_the_menu_opens_from_a_button_on_a_phone(world, visitor):
    visitor.login(world.users["coordinator"])
    page = visitor.open(reverse("insights:home"))
    page.set_viewport_size(PHONE)
    links = page.locator(f"{MENU} a")
    count = links.count()
    assert count >= 5
    toggle = page.locator(TOGGLE)
    assert toggle.is_visible() and toggle.inner_text().strip() == "Meny"
    assert not links.first.is_visible()
    assert expanded(page) is False
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # By keyboard: Enter opens it, Tab walks the list from the top, Escape closes it and
    # gives the focus back to the button.
    toggle.focus()
    page.keyboard.press("Enter")
    assert is_open(page) and expanded(page) is True
    assert all(links.nth(i).is_visible() for i in range(count))
    box, button = page.locator(MENU).bounding_box(), toggle.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] >= button["y"] + button["height"] - 1  # under the button
    page.keyboard.press("Tab")
    assert focused(page) == reverse("insights:home")
    assert page.locator(f"{MENU} [aria-current=page]").get_attribute("href") == reverse(
        "insights:home"
    )
    page.wait_for_timeout(300)  # the fade-in ends, so axe sees the colours as they are
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    assert not is_open(page) and expanded(page) is False
    assert "staff-menu__toggle" in focused(page)

    # No focus trap: Tab goes past the last item to the search box after the menu.
    toggle.focus()
    page.keyboard.press("Enter")
    for _item in range(count + 1):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "search"

    page.keyboard.press("Escape")
    assert not is_open(page)

    # A click on an item goes there.
    toggle.click()
    assert is_open(page)
    with page.expect_navigation():  # the page may already be at an address that matches
        page.locator(f"{MENU} a[href='{reverse('projects:my_projects')}']").click()
    page.wait_for_url(f"**{reverse('projects:my_projects')}")
    visitor.audit()
    visitor.assert_no_problems()


def test_the_menu_is_a_line_of_links_on_a_wide_screen(world, visitor):
    visitor.login(world.users["coordinator"])
    page = visitor.open(reverse("projects:my_projects"))
    page.set_viewport_size(DESKTOP)
    assert not page.locator(TOGGLE).is_visible()
    links = page.locator(f"{MENU} a")
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1  # one line
    assert page.locator(f"{MENU} [aria-current=page]").get_attribute("href") == reverse(
        "projects:my_projects"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    visitor.assert_no_problems()
