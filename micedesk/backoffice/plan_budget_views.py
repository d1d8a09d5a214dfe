"""Back-office screen of the budget planner: the caps as a GET form (the answer has a URL, htmx
swaps the answer on each change and the page works without it), the answer that explains itself,
and applying the selection to the year. The choice and its reasons come from
micedesk.plan.planner; these views only read the form and pick the template."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from micedesk.backoffice.decorators import staff_required
from micedesk.backoffice.plan_budget_forms import BudgetForm
from micedesk.plan import planner
from micedesk.plan.selectors import plan_for_staff


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _url(name: str, *args: object) -> str | None:
    # The plan's other screens belong to another screen set: the planner works without them.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _answer(request: HttpRequest, form: BudgetForm, plan) -> planner.BudgetAnswer | None:
    if not form.is_bound or not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return planner.plan_budget(
            user=request.user,
            plan=plan,
            year=data["year"],
            budget=data["budget"],
            fte=data["fte"],
            basis=data["basis"],
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None


def _link_actions(plan, answer: planner.BudgetAnswer | None) -> None:
    """Each action's year links to its page, where staff set its priority and maximum quantities."""
    if answer is None:
        return
    for choice in answer.choices:
        choice.url = _url("backoffice:plan_action_year", plan.code, choice.action_year.pk)


@staff_required
@require_safe
def plan_budget(request: HttpRequest, code: str) -> HttpResponse:
    plan = plan_for_staff(user=request.user, code=code)
    form = BudgetForm.for_request(plan, request.GET)
    answer = _answer(request, form, plan)
    _link_actions(plan, answer)
    context = {
        "plan": plan,
        "form": form,
        "answer": answer,
        "year_url": _url("backoffice:plan_year", plan.code, answer.year) if answer else None,
        "synthesis_url": _url("backoffice:plan_synthesis", plan.code),
    }
    status = 400 if form.is_bound and form.errors else 200
    template = "backoffice/plan/budget.html"
    if _is_htmx(request):
        template = "backoffice/plan/fragment_budget_answer.html"
    return render(request, template, context, status=status)


@staff_required
@require_POST
def plan_budget_apply(request: HttpRequest, code: str) -> HttpResponse:
    """Compute the answer again from the same caps (so it is the plan as it is now) and write it."""
    plan = plan_for_staff(user=request.user, code=code)
    form = BudgetForm(request.POST, plan=plan)
    answer = _answer(request, form, plan)
    query = urlencode({name: request.POST.get(name, "") for name in BudgetForm.base_fields})
    back = f"{reverse('backoffice:plan_budget', args=[plan.code])}?{query}"
    if answer is None:
        for text in [e for errors in form.errors.values() for e in errors]:
            messages.error(request, text)
        return redirect(back)
    try:
        changed = planner.budget_apply(
            user=request.user, plan=plan, year=answer.year, answer=answer
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(back)
    messages.success(
        request,
        ngettext(
            "The selection is applied: %(count)s action changed in %(year)s.",
            "The selection is applied: %(count)s actions changed in %(year)s.",
            changed,
        )
        % {"count": changed, "year": answer.year},
    )
    return redirect(_url("backoffice:plan_year", plan.code, answer.year) or back)
