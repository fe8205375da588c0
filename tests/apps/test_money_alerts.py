"""The daily alerts run tells those who see the money when spending reaches a threshold of
the budget (once per threshold), and the managers when materials run low."""

from __future__ import annotations

from decimal import Decimal

from keel.apps.notifications.models import Notification, NotificationKind
from keel.apps.notifications.services import check_alerts
from keel.apps.resources.models import FinanceSettings, StockLevel
from tests.factories_resources import BudgetLineFactory, ExpenseFactory, ItemFactory

from ..conftest import World


def _spend(world: World, amount: str) -> None:
    ExpenseFactory(
        project=world.project,
        amount=Decimal(amount),
        claimant=world.member,
        status="approved",
        reviewer=world.finance,
    )


def _told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_spending_past_a_threshold_is_told_once(fin_world: World) -> None:
    BudgetLineFactory(project=fin_world.project, category="other", amount=Decimal("1000"))
    _spend(fin_world, "500")
    assert check_alerts(fin_world.project).money_alerts == 0
    _spend(fin_world, "350")  # 85 %: past 80
    report = check_alerts(fin_world.project)
    assert report.money_alerts >= 1
    told = _told(NotificationKind.SPEND_ALERT)
    assert {"manager@example.com", "finance@example.com", "owner@example.com"} <= told
    assert "member@example.com" not in told and "viewer@example.com" not in told
    n = Notification.objects.filter(kind=NotificationKind.SPEND_ALERT).count()
    check_alerts(fin_world.project)
    assert Notification.objects.filter(kind=NotificationKind.SPEND_ALERT).count() == n
    assert FinanceSettings.objects.get(project=fin_world.project).alerted_actual == 80
    _spend(fin_world, "200")  # 105 %: past 100, told again
    check_alerts(fin_world.project)
    titles = list(
        Notification.objects.filter(
            kind=NotificationKind.SPEND_ALERT, recipient=fin_world.finance
        ).values_list("title", flat=True)
    )
    assert any("100%" in t for t in titles)


def test_low_stock_is_told_to_the_managers(world: World) -> None:
    item = ItemFactory(workspace=world.workspace, name="Cement")
    StockLevel.objects.create(
        project=world.project, item=item, on_hand=Decimal("5"), reorder_level=Decimal("10")
    )
    report = check_alerts(world.project)
    assert report.money_alerts == 1
    assert "manager@example.com" in _told(NotificationKind.LOW_STOCK)
    assert "member@example.com" not in _told(NotificationKind.LOW_STOCK)
    body = Notification.objects.filter(kind=NotificationKind.LOW_STOCK).first()
    assert body is not None and "Cement" in body.body
