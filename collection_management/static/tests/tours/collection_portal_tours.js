import { registry } from "@web/core/registry";

// The customer opens the link of a reminder (no login), promises to pay in two
// instalments, then disputes an invoice. Steps select by names, never by labels: the
// page is in the customer's language.
function inDays(days) {
    const day = new Date();
    day.setDate(day.getDate() + days);
    return day.toISOString().slice(0, 10);
}

registry.category("web_tour.tours").add("collection_portal_tour", {
    steps: () => [
        {
            content: "The statement shows the overdue balance",
            trigger: ".o_collection_portal .o_collection_overdue",
        },
        {
            content: "Open the promise form",
            trigger: ".o_collection_promise_toggle",
            run: "click",
        },
        {
            content: "First instalment: amount",
            trigger: "form.o_collection_promise.show .row:nth-of-type(1) input[name='amount']",
            run: "edit 300",
        },
        {
            content: "First instalment: date",
            trigger: "form.o_collection_promise .row:nth-of-type(1) input[name='date']",
            run() {
                // date inputs take ISO dates whatever the browser's language
                this.anchor.value = inDays(7);
            },
        },
        {
            content: "Second instalment: amount",
            trigger: "form.o_collection_promise .row:nth-of-type(2) input[name='amount']",
            run: "edit 200",
        },
        {
            content: "Second instalment: date",
            trigger: "form.o_collection_promise .row:nth-of-type(2) input[name='date']",
            run() {
                this.anchor.value = inDays(21);
            },
        },
        {
            content: "Record the promise",
            trigger: "form.o_collection_promise button[type='submit']",
            run: "click",
        },
        {
            content: "The promise is thanked for and listed",
            trigger: ".alert-success[data-done='promise'] ~ section .o_collection_promises",
        },
        {
            content: "Open the dispute form of the first invoice",
            trigger: ".o_collection_invoices tbody tr:first-child .o_collection_dispute_toggle",
            run: "click",
        },
        {
            content: "Choose a reason",
            trigger: "form.o_collection_dispute.show select[name='reason_id']",
            run: "selectByIndex 1",
        },
        {
            content: "Say what is wrong",
            trigger: "form.o_collection_dispute.show textarea[name='comment']",
            run: "edit 货物损坏 (damaged goods)",
        },
        {
            content: "Send the dispute",
            trigger: "form.o_collection_dispute.show button[type='submit']",
            run: "click",
        },
        {
            content: "The dispute is acknowledged",
            trigger: ".alert-success[data-done='dispute']",
        },
        {
            content: "The invoice shows as disputed",
            trigger: ".o_collection_invoices tbody tr:first-child .badge",
        },
    ],
});
