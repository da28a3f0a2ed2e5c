"""Matching rows to the producers and products already there, and writing them a batch at a time."""
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from common.tabular import CREATED, REJECTED, UNCHANGED, UPDATED, RowRejected, RowResult

from ..models import OcopProduct, Producer
from ..validators import validate_tax_code

# checked when the row is read (stars 3 to 5, dates, kind, tax code, phone) or set by this module
# (status, foreign keys to objects just loaded), or by the database.
PRODUCER_FILE_FIELDS = ("name", "representative", "phone", "address", "old_district")
PRODUCT_FILE_FIELDS = ("name", "subgroup", "certificate_number", "unit")


_NOT_FROM_FILE = {}


def _clean(obj, checked):
    """clean_fields() on what came from the file: the unique constraints are known from the store
    (and still enforced by the database), and foreign keys point at rows just loaded."""
    model = type(obj)
    if model not in _NOT_FROM_FILE:
        _NOT_FROM_FILE[model] = {f.name for f in model._meta.fields if f.name not in checked}
    obj.clean_fields(exclude=_NOT_FROM_FILE[model])


def _validation_messages(exc):
    if hasattr(exc, "message_dict"):
        labels = {f.name: str(f.verbose_name) for m in (Producer, OcopProduct) for f in m._meta.fields}
        return [
            f"{labels.get(name, name).capitalize()}: {message}"
            for name, messages in exc.message_dict.items() for message in messages
        ]
    return [str(m) for m in exc.messages]


def _chunks(items, size=500):
    items = list(items)
    for offset in range(0, len(items), size):
        yield items[offset: offset + size]


@dataclass
class _Plan:
    """What one row writes, and how to take it back out of the store if it cannot be written."""

    result: RowResult
    producer: Producer
    product: OcopProduct
    new_producer: bool = False
    producer_fields: list | tuple = ()  # blanks of an existing producer filled in
    new_product: bool = False
    product_fields: list | tuple = ()  # fields of an existing product changed
    undo: list | tuple = ()


class Store:
    """The producers and products the file names, loaded once per import into dictionaries and
    kept current as rows are planned: matching a row costs no query.

    Rows are planned in memory (matched, validated) and written a batch at a time with
    bulk_create in one savepoint. When the database refuses a batch (a row written by someone
    else meanwhile, a constraint the checks here do not know), the batch is taken back out of the
    store and written again row by row, each row in its own savepoint, so that only the bad row
    is rejected, with its reason."""

    def __init__(self, context, readable):
        self.context = context
        self.by_tax = {}  # tax code -> producer
        self.by_name = {}  # (name key, commune id) -> producer
        self.products = {}  # (producer token, product name key) -> product
        self.seen = {}  # (producer token, product name key) -> first row number
        self._tokens = iter(range(-1, -(10**9), -1))  # for producers not written yet
        self.status_note = _("Có trong danh sách OCOP của tỉnh (nhập từ tệp).")
        self.created_producers, self.updated_producers = [], set()
        self._load(readable)

    def _load(self, readable):
        tax_codes = {values["tax_code"] for _r, values in readable if values["tax_code"]}
        names = {values["producer_key"] for _r, values in readable}
        communes = {values["commune"].pk for _r, values in readable}
        found = {}
        for chunk in _chunks(sorted(tax_codes)):
            found.update((p.pk, p) for p in Producer.objects.filter(tax_code__in=chunk))
        for chunk in _chunks(sorted(names)):
            found.update((p.pk, p) for p in Producer.objects.filter(name_key__in=chunk, commune_id__in=communes))
        # The first by name, as `.filter(...).first()` would give it.
        for producer in sorted(found.values(), key=lambda p: (p.name, p.pk)):
            producer.import_token = producer.pk
            if producer.tax_code:
                self.by_tax[producer.tax_code] = producer
            self.by_name.setdefault((producer.name_key, producer.commune_id), producer)
        for chunk in _chunks(sorted(found)):
            for product in OcopProduct.objects.filter(producer_id__in=chunk):
                self.products[(product.producer_id, product.name_key)] = product

    # Planning ------------------------------------------------------------------------------

    def plan(self, result, values):
        """Match and validate one row in memory; raises RowRejected or ValidationError, leaving
        the store as it was."""
        undo = []
        try:
            plan = self._plan(result, values, undo)
        except Exception:
            self._take_back(undo)
            raise
        plan.undo = undo
        return plan

    def _plan(self, result, values, undo):
        producer, new_producer, producer_fields = self._producer(values, result, undo)
        token = producer.import_token
        key = values["key"]
        first_row = self.seen.setdefault((token, key), result.row)
        if first_row == result.row:
            undo.append(lambda: self.seen.pop((token, key), None))
        else:
            result.warnings.append(_("Trùng với dòng %(row)s.") % {"row": first_row})

        wanted = {"group_id": values["group"].pk, "stars": values["stars"]}
        for name in ("subgroup", "certificate_number", "unit"):
            if values[name]:
                wanted[name] = values[name]
        if values["certificate_date"]:
            wanted["certificate_date"] = values["certificate_date"]
            wanted["certificate_expiry"] = values["certificate_expiry"] or OcopProduct.expiry_for(
                values["certificate_date"]
            )
        elif values["certificate_expiry"]:
            wanted["certificate_expiry"] = values["certificate_expiry"]

        plan = _Plan(result=result, producer=producer, product=None, new_producer=new_producer,
                     producer_fields=producer_fields)
        product = self.products.get((token, key))
        if product is None:
            product = OcopProduct(producer=producer, name=values["name"], name_key=key, **wanted)
            if product.certificate_expiry is None:  # as save() does; bulk_create does not call it
                product.certificate_expiry = OcopProduct.expiry_for(product.certificate_date)
            _clean(product, PRODUCT_FILE_FIELDS)
            self.products[(token, key)] = product
            undo.append(lambda: self.products.pop((token, key), None))
            plan.new_product = True
            result.status = CREATED
        else:
            changed = [f for f, v in wanted.items() if getattr(product, f) != v]
            if changed:
                old = {f: getattr(product, f) for f in changed}
                undo.append(lambda: [setattr(product, f, v) for f, v in old.items()])
                for f in changed:
                    setattr(product, f, wanted[f])
                _clean(product, PRODUCT_FILE_FIELDS)
                plan.product_fields = [_field_name(f) for f in changed]
                result.status = UPDATED
                result.changed_fields = [str(OcopProduct._meta.get_field(f).verbose_name) for f in plan.product_fields]
            else:
                result.status = UNCHANGED
        plan.product = product
        return plan

    def _producer(self, values, result, undo):
        """(producer, created, [blank fields filled in])."""
        producer = self.by_tax.get(values["tax_code"]) if values["tax_code"] else None
        if producer is None:
            producer = self.by_name.get((values["producer_key"], values["commune"].pk))
        if producer is None:
            if values["kind"] is None:
                raise RowRejected([_("Không rõ loại hình chủ thể (HTX, THT, DN hoặc HKD).")])
            producer = Producer(
                kind=values["kind"], name=values["producer_name"], name_key=values["producer_key"],
                tax_code=values["tax_code"], representative=values["representative"][:150],
                phone=values["phone"], address=values["address"][:255], commune_id=values["commune"].pk,
                old_district=values["old_district"][:100],
                status=Producer.Status.VERIFIED, status_changed_at=self.context.now,
                status_changed_by_id=self.context.user_id, status_note=self.status_note,
            )
            _clean(producer, PRODUCER_FILE_FIELDS)
            producer.import_token = next(self._tokens)
            name_entry = (values["producer_key"], values["commune"].pk)
            self.by_name[name_entry] = producer
            if producer.tax_code:
                self.by_tax[producer.tax_code] = producer

            def forget():
                self.by_name.pop(name_entry, None)
                if producer.tax_code:
                    self.by_tax.pop(producer.tax_code, None)

            undo.append(forget)
            result.producer_created = True
            return producer, True, []
        # Known producer: fill what it lacks, never overwrite what the cooperative keeps in the portal.
        changed = []
        for name in ("tax_code", "representative", "phone", "address", "old_district"):
            if values[name] and not getattr(producer, name):
                if name == "tax_code" and (values[name] in self.by_tax
                                           or not self._fits_kind(values[name], producer, result)):
                    continue
                changed.append(name)
        if changed:
            old = {name: getattr(producer, name) for name in changed}

            def restore():
                if "tax_code" in old and self.by_tax.get(producer.tax_code) is producer:
                    del self.by_tax[producer.tax_code]
                for name, value in old.items():
                    setattr(producer, name, value)

            undo.append(restore)
            for name in changed:
                setattr(producer, name, values[name])
            if "tax_code" in changed:
                self.by_tax[producer.tax_code] = producer
            _clean(producer, PRODUCER_FILE_FIELDS)
        if producer.status != Producer.Status.VERIFIED:
            result.warnings.append(
                _("Chủ thể đang ở trạng thái “%(status)s”: cán bộ cần xác minh trên cổng.")
                % {"status": producer.get_status_display()}
            )
        return producer, False, changed

    @staticmethod
    def _fits_kind(tax_code, producer, result):
        """A row that did not say its kind may carry a personal number: not for an organisation."""
        try:
            validate_tax_code(tax_code, household=producer.kind == Producer.Kind.HOUSEHOLD)
        except ValidationError as exc:
            result.warnings.append(_("Bỏ qua mã số thuế “%(value)s”: %(reason)s") % {
                "value": tax_code, "reason": " ".join(exc.messages)})
            return False
        return True

    def _take_back(self, undo):
        for step in reversed(undo):
            step()

    # Writing -------------------------------------------------------------------------------

    def write_batch(self, rows):
        """Plan the rows, then write them in one savepoint; row by row if the database refuses."""
        parse_warnings = [list(result.warnings) for result, _values in rows]
        plans = []
        for result, values in rows:
            plan = self._plan_or_reject(result, values)
            if plan:
                plans.append(plan)
        try:
            with transaction.atomic():
                self._write(plans)
        except DatabaseError:
            for plan in reversed(plans):
                self._unwrite(plan)
            for (result, values), warnings in zip(rows, parse_warnings, strict=True):
                _reset(result, warnings)
                self._write_row(result, values)
            return
        self._done(plans)

    def _write_row(self, result, values):
        plan = self._plan_or_reject(result, values)
        if plan is None:
            return
        try:
            with transaction.atomic():
                self._write([plan])
        except DatabaseError:
            self._unwrite(plan)
            _reject(result, [_("Không ghi được dòng này vào cơ sở dữ liệu (trùng hoặc sai dữ liệu).")])
            return
        self._done([plan])

    def _plan_or_reject(self, result, values):
        try:
            return self.plan(result, values)
        except RowRejected as exc:
            _reject(result, exc.reasons)
        except ValidationError as exc:
            _reject(result, _validation_messages(exc))
        return None

    def _write(self, plans):
        Producer.objects.bulk_create([p.producer for p in plans if p.new_producer])
        for producer, fields in self._updates(plans, "new_producer", "producer", "producer_fields"):
            producer.save(update_fields=[*fields, "updated_at"])
        OcopProduct.objects.bulk_create([p.product for p in plans if p.new_product])
        for product, fields in self._updates(plans, "new_product", "product", "product_fields"):
            product.save(update_fields=[*fields, "updated_at"])

    @staticmethod
    def _updates(plans, new_flag, attribute, fields_attribute):
        """Objects that were in the database before this batch, with every field the batch changed."""
        created = {id(getattr(p, attribute)) for p in plans if getattr(p, new_flag)}
        updates = {}
        for plan in plans:
            obj = getattr(plan, attribute)
            if getattr(plan, fields_attribute) and id(obj) not in created:
                updates.setdefault(id(obj), (obj, set()))[1].update(getattr(plan, fields_attribute))
        return [(obj, sorted(fields)) for obj, fields in updates.values()]

    def _unwrite(self, plan):
        """The savepoint was rolled back: forget the primary keys it gave, take the row back out."""
        for obj, new in ((plan.producer, plan.new_producer), (plan.product, plan.new_product)):
            if new:
                obj.pk = None
                obj._state.adding = True
        self._take_back(plan.undo)
        plan.result.status = REJECTED

    def _done(self, plans):
        for plan in plans:
            plan.result.product_id = plan.product.pk
            if plan.new_producer:
                self.created_producers.append(plan.producer.pk)
            elif plan.producer_fields:
                self.updated_producers.add(plan.producer.pk)


def _field_name(attname):
    return "group" if attname == "group_id" else attname


def _reset(result, warnings):
    result.status, result.reasons, result.warnings = REJECTED, [], warnings
    result.changed_fields, result.producer_created, result.product_id = [], False, None


def _reject(result, reasons):
    result.status = REJECTED
    result.reasons = [str(r) for r in reasons]
    result.producer_created = False
    result.product_id = None
    result.changed_fields = []
