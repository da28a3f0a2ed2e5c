"""Public pages of the sandbox marketplace (a simulated shop front, clearly named as such)."""
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import SandboxImage, SandboxItem


def sandbox_item(request, external_id):
    item = get_object_or_404(SandboxItem, external_id=external_id)
    return render(request, "marketplace/sandbox_item.html", {"item": item, "image_ids": item.image_ids})


def sandbox_image(request, image_id):
    image = get_object_or_404(SandboxImage, image_id=image_id)
    response = HttpResponse(bytes(image.content), content_type=image.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
