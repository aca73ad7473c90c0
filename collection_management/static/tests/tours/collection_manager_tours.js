import { registry } from "@web/core/registry";

const REPORTS = [
    ["aging", "Aged receivables"],
    ["collector", "Collector performance"],
    ["cases", "Case register"],
    ["overdue_list", "Weekly overdue list"],
];

function openReportingMenu(item) {
    return [
        {
            content: "Open the Reporting menu",
            trigger: ".o_main_navbar button.dropdown-toggle:contains('Reporting')",
            run: "click",
        },
        {
            content: `Open ${item}`,
            trigger: `.o-dropdown--menu .dropdown-item:contains('${item}')`,
            run: "click",
        },
    ];
}

function exportSteps([value, label]) {
    return [
        ...openReportingMenu("Export to Excel"),
        {
            content: `Choose the ${label} report`,
            trigger: `.modal .o_field_widget[name='report_type'] input[data-value='${value}']`,
            run: "click",
        },
        {
            content: `Export the ${label} report`,
            trigger: ".modal-footer button[name='action_export']",
            run: "click",
        },
        {
            content: "The export is written (buttons are enabled again)",
            trigger: ".modal-footer button[name='action_export']:enabled",
        },
        {
            content: "Close the export wizard",
            trigger: ".modal-footer button:contains('Discard')",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
    ];
}

registry.category("web_tour.tours").add("collection_manager_dashboard_tour", {
    steps: () => [
        {
            content: "The Collections dashboard is listed in its own group",
            trigger: ".o_spreadsheet_dashboard_action li.o_search_panel_category_value.active:contains('Collections')",
        },
        {
            content: "Its charts and key figures are drawn",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer .o-figure canvas",
        },
        ...openReportingMenu("Overview"),
        {
            content: "The overview is named after the company, not a new record",
            trigger: ".o_breadcrumb:contains('Collections overview'):not(:contains('New'))",
        },
        {
            content: "Top debtors show their overdue amount and link to the customer",
            trigger: ".o_field_widget[name='top_debtors'] tr:contains('Tour Big Debtor'):contains('9,000.00') a[href*='/odoo/res.partner/']",
        },
        ...REPORTS.flatMap(exportSteps),
    ],
});
