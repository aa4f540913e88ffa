from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from notifications import actions
from notifications.access import PAGE_SIZE, get_notification_for_user, notifications_for_user
from notifications.emails import read_open_token, read_stop_token
from notifications.forms import NotificationSettingsForm, category_forms
from notifications.models import Category, Notification
from notifications.preferences import preferences_for, settings_for


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    unread = request.GET.get("unread") == "1"
    found = notifications_for_user(request.user, category=category, unread=unread)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "category": category,
        "unread": unread,
        "categories": Category.choices,
        # Live additions go on top of the first page only.
        "live_list": page.number == 1,
    }
    template = "notifications/centre.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#list"
    return render(request, template, context)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "notifications:centre")


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go where the notification points (the centre if nowhere)."""
    notification = get_notification_for_user(request.user, pk)
    actions.mark_read(notification=notification)
    return redirect(notification.link or "notifications:centre")


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    actions.mark_read(notification=notification)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notifications/_item.html", {"notification": notification})
    return _back(request)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    category = request.POST.get("category", "")
    count = actions.mark_all_read(
        owner=request.user, category=category if category in Category.values else ""
    )
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRefresh()
    messages.success(request, f"Marked {count} as read.")
    return _back(request)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    actions.delete_notification(notification=notification)
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse("")
    return _back(request)


@login_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """Press one of the notification's buttons (from the toast or the centre)."""
    notification = get_notification_for_user(request.user, pk)
    result = actions.act(
        user=request.user, notification=notification, key=request.POST.get("key", "")
    )
    if not request.htmx:  # type: ignore[attr-defined]
        (messages.success if result.done else messages.error)(request, result.message)
        return _back(request)
    where = "toast" if request.POST.get("where") == "toast" else "item"
    return render(
        request,
        f"notifications/_{where}.html",
        {
            "notification": result.notification,
            "resolved": True,
            "message": "" if result.done else result.message,
        },
    )


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The badge as it is now (a page refreshes it after its socket reconnects)."""
    return render(request, "notifications/_badge.html")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    owner = request.user
    settings_form = NotificationSettingsForm(request.POST, instance=settings_for(owner))
    rows = category_forms(owner, preferences_for(owner), request.POST)
    forms_ok = settings_form.is_valid() and all(form.is_valid() for _, _, form in rows)
    if forms_ok:
        actions.save_preferences(
            settings_form=settings_form, category_forms=[form for _, _, form in rows]
        )
    context = {"settings_form": settings_form, "category_rows": rows, "saved": forms_ok}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notifications/_settings_tab.html", context)
    if forms_ok:
        messages.success(request, "Notification preferences saved.")
    else:
        messages.error(request, "Your preferences were not saved: see the errors below.")
    return redirect("settings_tab", tab="notifications")


def _someone_else(request: HttpRequest, recipient_id: int) -> bool:
    """A signed-in user who is not the one the e-mail was sent to (a forwarded mail, a
    shared computer): the link must not act for them."""
    return bool(request.user.is_authenticated and request.user.pk != recipient_id)


def _for_another_account(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/email_other_account.html", status=403)


def email_open(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an e-mail: marks the notification read, then opens it (sign-in first
    if needed). The signature is the authorization; it expires after 30 days."""
    try:
        pk = read_open_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise Http404("This link is not valid any more.") from exc
    notification = Notification.objects.filter(pk=pk).first()
    if notification is None:
        messages.info(request, "That notification has been deleted.")
        return redirect("notifications:centre")
    if _someone_else(request, notification.owner_id):
        return _for_another_account(request)
    actions.mark_read(notification=notification)
    return redirect(notification.link or notification.get_absolute_url())


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs; the signed token authorizes
def email_stop(request: HttpRequest, token: str) -> HttpResponse:
    """Stop e-mails of one category: GET asks, POST does it."""
    try:
        owner_id, category = read_stop_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise Http404("This link is not valid any more.") from exc
    label = Category(category).label
    if _someone_else(request, owner_id):
        return _for_another_account(request)
    if request.method == "POST":
        actions.stop_emails(owner_id=owner_id, category=category)
        return render(request, "notifications/email_stopped.html", {"label": label, "done": True})
    return render(request, "notifications/email_stopped.html", {"label": label, "done": False})
