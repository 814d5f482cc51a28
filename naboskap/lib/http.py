from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """Form data for a POST (even an empty one, so its errors show), else None (unbound)."""
    return request.POST if request.method == "POST" else None


def form_status(*forms) -> int:
    """400 when a submitted form has errors (the page shows them), else 200."""
    return 400 if any(form.is_bound and form.errors for form in forms) else 200
