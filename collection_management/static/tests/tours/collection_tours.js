import { registry } from "@web/core/registry";

// Steps select by names and values, never by labels: the same tours run in English
// and in Chinese.
const CUSTOMER = "Tour Debtor Ltd";

// what the user could scroll sideways: the page and the given scrolling containers
function assertNoHorizontalScroll(where) {
    for (const element of [document.documentElement, ...document.querySelectorAll(where)]) {
        if (element.scrollWidth > element.clientWidth + 1) {
            const right = element.getBoundingClientRect().right;
            const wide = [...element.querySelectorAll("*")]
                .filter((child) => child.getBoundingClientRect().right > right + 1)
                .map((child) => child.getAttribute("name") || child.className || child.tagName);
            throw new Error(
                `Horizontal scrolling in ${element.className || element.tagName}: ` +
                    `${element.scrollWidth}px for ${element.clientWidth}px (${wide.join(", ")})`
            );
        }
    }
}

function logContactWithPromise({ mobile }) {
    return [
        {
            content: "The customer's phone is a link to call",
            trigger: ".o_form_view .o_field_widget[name='partner_phone'] a[href^='tel:']",
            run: mobile ? () => assertNoHorizontalScroll(".o_content") : undefined,
        },
        {
            content: "Log the call from the case",
            trigger: mobile
                ? ".o_form_view .o_form_sheet button.o_collection_log_contact_mobile"
                : ".o_form_view .o_form_statusbar button[name='action_log_contact']",
            run: "click",
        },
        {
            content: "The dialog shows the number to call",
            trigger: ".modal .o_field_widget[name='contact_phone'] a[href^='tel:']",
        },
        {
            content: "The customer promises to pay",
            trigger: ".modal .o_field_widget[name='outcome'] select",
            run: "select \"promise\"",
        },
        {
            content: "Promised amount",
            trigger: ".modal .o_field_widget[name='promise_amount'] input",
            run: "edit 400",
        },
        {
            content: "What was said",
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: mobile
                ? (actions) => {
                      assertNoHorizontalScroll(".modal .modal-body");
                      return actions.edit("Transfer promised by the treasurer");
                  }
                : "edit Transfer promised by the treasurer",
        },
        {
            content: "Save the contact",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The promise is listed on the case",
            trigger: ".o_notebook .nav-link[name='promises']",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name='promise_ids'] .o_data_row:contains('400'), " +
                ".o_field_widget[name='promise_ids'] .o_kanban_record:contains('400')",
        },
    ];
}

registry.category("web_tour.tours").add("collection_collector_tour", {
    steps: () => [
        {
            content: "My worklist lists the collector's case",
            trigger: `.o_list_view .o_data_row:contains('${CUSTOMER}') td[name='name']`,
            run: "click",
        },
        ...logContactWithPromise({ mobile: false }),
    ],
});

registry.category("web_tour.tours").add("collection_collector_mobile_tour", {
    steps: () => [
        {
            content: "On a phone, My worklist shows the ranked cases, not an empty stage",
            trigger: `.o_kanban_view:not(:has(.o_kanban_group)) .o_kanban_record:contains('${CUSTOMER}')`,
            run: (actions) => {
                assertNoHorizontalScroll(".o_content");
                return actions.click();
            },
        },
        ...logContactWithPromise({ mobile: true }),
    ],
});

registry.category("web_tour.tours").add("collection_manager_legal_tour", {
    steps: () => [
        {
            content: "Escalate the case to legal action",
            trigger: ".o_form_view button[name='action_escalate_legal']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The case follows its legal stages in the header",
            trigger: ".o_field_widget[name='legal_stage_id'] .o_statusbar_status",
        },
        {
            content: "The legal tab is open to the legal officer's work",
            trigger: ".o_notebook .nav-link[name='legal']",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='legal_docket'] input",
        },
    ],
});

registry.category("web_tour.tours").add("collection_legal_letter_tour", {
    steps: () => [
        {
            content: "The legal officer opens the case from the legal kanban",
            trigger: ".o_kanban_record:contains('Tour Debtor Ltd')",
            run: "click",
        },
        {
            content: "A legal case opens on its legal stages",
            trigger: ".o_field_widget[name='legal_stage_id'] .o_statusbar_status",
        },
        {
            content: "Send the demand letter",
            trigger: ".o_form_view button[name='action_send_demand_letter']",
            run: "click",
        },
        {
            content: "Confirm sending it to the customer",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The letter is kept on the case",
            trigger: ".o-mail-Chatter .o-mail-AttachmentCard, .o-mail-Chatter .o-mail-AttachmentList",
        },
    ],
});
