import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("collection_collector_tour", {
    steps: () => [
        {
            content: "My worklist lists the collector's case",
            trigger: ".o_list_view .o_data_row:contains('Tour Debtor Ltd') td[name='name']",
            run: "click",
        },
        {
            content: "Log a call from the case",
            trigger: ".o_form_view button[name='action_log_contact']",
            run: "click",
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
            run: "edit Transfer promised by the treasurer",
        },
        {
            content: "Save the contact",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The case is now in the Promised stage",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Promised')",
        },
        {
            content: "The promise is listed on the case",
            trigger: ".o_notebook .nav-link:contains('Promises')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='promise_ids'] .o_data_row:contains('400')",
        },
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
            content: "The case is in the Legal stage",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Legal')",
        },
        {
            content: "The legal tab is open to the legal officer's work",
            trigger: ".o_notebook .nav-link:contains('Legal')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='legal_docket'] input",
        },
    ],
});
