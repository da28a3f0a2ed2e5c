from producers.selectors import portal_context


def portal(request):
    """Who is looking at the portal: their producers and whether they are a department officer."""
    user = getattr(request, "user", None)
    return portal_context(user) if user is not None else {}
