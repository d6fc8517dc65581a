//! The HTML document and the router: which path shows which screen.

use crate::components::layout::provide_me;
use crate::pages::{
    advanced_search::AdvancedSearchPage,
    batch::{BatchPage, BatchTransferPage, BatchTransferredPage},
    batch_search::BatchSearchPage,
    change_password::ChangePasswordPage,
    activity_history::{ActivityDetailsPage, ActivityHistoryPage},
    cos_details::CosDetailsPage,
    create_batch::{BatchAssignPage, CreateBatchPage},
    create_cos::{AssignCosPage, CosAssignedPage, CosDeletedPage, CosFormPage, CosSavedPage, CreateStartPage, DeleteCosPage},
    manage_live_cos::{AddNotePage, ManageLiveCosPage, ManageLiveSearchPage, WithdrawalConfirmationPage},
    manage_users::{DeactivateUserPage, ManageUsersPage, NewUserPage, UserCreatedPage, UserPage},
    not_found::NotFound,
    ownership_history::OwnershipHistoryPage,
    report_activity::{ActivityReportedPage, CheckReportPage, ReportCosPage, ReportFormPage, ReportSearchPage},
    sign_in::SignInPage,
    sponsorship_duties::SponsorshipDutiesPage,
    status_history::StatusHistoryPage,
    transfer::{TransferPage, TransferredPage},
    transfer_many::{TransferManyPage, TransferredManyPage},
    view_cos::ViewCosPage,
    work_addresses::{AddWorkAddressPage, DeleteWorkAddressPage, WorkAddressPage, WorkAddressesPage},
    workers::WorkersPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::{
    components::{FlatRoutes, Route, Router},
    path, SsrMode,
};

/// The document the server sends. Scripts are deferred: the page is whole without them.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <Bundle options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The stylesheet, and the script that loads the WebAssembly and hydrates the page: by the
/// hashed names cargo-leptos writes in `hash.txt` beside the server, read once per process.
/// (Leptos's own `HashedStylesheet` and `HydrationScripts` read that file on every page:
/// about 6% of a View CoS page's time.) Scripts are modules, so deferred: the page is whole
/// without them.
#[component]
fn Bundle(options: LeptosOptions) -> impl IntoView {
    let b = bundle(&options);
    // Islands: only what an island loads is sent with the page for hydrating (as Leptos's
    // `HydrationScripts` does in islands mode); the rest of the page is never hydrated.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    let nonce = leptos::nonce::use_nonce();
    view! {
        <link id="leptos" rel="stylesheet" href=b.css.as_str()/>
        <link rel="modulepreload" href=b.js.as_str() crossorigin="anonymous"/>
        <link rel="preload" href=b.wasm.as_str() r#as="fetch" r#type="application/wasm" crossorigin="anonymous"/>
        <script type="module" nonce=nonce>{b.loader.as_str()}</script>
    }
}

/// The bundle's addresses, and the script that loads it: the same on every page, so made once.
struct BundleFiles {
    css: String,
    js: String,
    wasm: String,
    loader: String,
}

fn bundle(options: &LeptosOptions) -> &'static BundleFiles {
    static BUNDLE: std::sync::OnceLock<BundleFiles> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| {
        let name = options.output_name.to_string();
        let hashes = options
            .hash_files
            .then(|| {
                let exe = std::env::current_exe().ok()?;
                std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()
            })
            .flatten()
            .unwrap_or_default();
        let hash = |kind: &str| {
            hashes
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim() == kind)
                .map(|(_, h)| format!(".{}", h.trim()))
        };
        // Unhashed, wasm-bindgen names the WebAssembly `<name>_bg` unless told the name
        // (`.cargo/config.toml` tells every build, as cargo-leptos does).
        let plain_wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() { name.clone() } else { format!("{name}_bg") };
        let pkg = format!("/{}", options.site_pkg_dir);
        let js = format!("{pkg}/{name}{}.js", hash("js").unwrap_or_default());
        let wasm = hash("wasm").map(|h| format!("{pkg}/{name}{h}.wasm")).unwrap_or_else(|| format!("{pkg}/{plain_wasm}.wasm"));
        BundleFiles {
            css: format!("{pkg}/{name}{}.css", hash("css").unwrap_or_default()),
            // Each island is hydrated by the function named in its `data-component`; the
            // `data-hydrated` mark (for tests and styles) follows once all of them are.
            loader: format!(
                "import({js:?}).then(m => m.default({{ module_or_path: {wasm:?} }}).then(() => {{ m.hydrate(); \
                 for (const el of document.querySelectorAll('leptos-island')) {{ const f = m[el.dataset.component]; if (f) f(el); }} \
                 document.body.dataset.hydrated = 'true'; }}));"
            ),
            js,
            wasm,
        }
    })
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_me();

    view! {
        <Router>
            // Async: each page arrives whole, so it reads the same with or without scripts.
            // Flat: no route nests in another, and the nested router's tree cost every page
            // about 7% of its server CPU.
            <FlatRoutes fallback=NotFound>
                <Route path=path!("/") view=WorkersPage ssr=SsrMode::Async/>
                <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async/>
                <Route path=path!("/change-password") view=ChangePasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/manage-users") view=ManageUsersPage ssr=SsrMode::Async/>
                <Route path=path!("/manage-users/new") view=NewUserPage ssr=SsrMode::Async/>
                <Route path=path!("/manage-users/created") view=UserCreatedPage ssr=SsrMode::Async/>
                <Route path=path!("/manage-users/user/:user_id") view=UserPage ssr=SsrMode::Async/>
                <Route path=path!("/manage-users/user/:user_id/deactivate") view=DeactivateUserPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos") view=ViewCosPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/advanced") view=AdvancedSearchPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/batches") view=BatchSearchPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/transfer-many") view=TransferManyPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/transferred-many") view=TransferredManyPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/batches/:batch_id") view=BatchPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/batches/:batch_id/transfer") view=BatchTransferPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/batches/:batch_id/transferred") view=BatchTransferredPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number") view=CosDetailsPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/status-history") view=StatusHistoryPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/activity-history") view=ActivityHistoryPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/activity-details") view=ActivityDetailsPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/ownership-history") view=OwnershipHistoryPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/transfer") view=TransferPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/transferred") view=TransferredPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/edit") view=CosFormPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/delete") view=DeleteCosPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/assign") view=AssignCosPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/:cos_number/assigned") view=CosAssignedPage ssr=SsrMode::Async/>
                <Route path=path!("/create-cos") view=CreateStartPage ssr=SsrMode::Async/>
                <Route path=path!("/create-cos/new") view=CosFormPage ssr=SsrMode::Async/>
                <Route path=path!("/create-cos/batch") view=CreateBatchPage ssr=SsrMode::Async/>
                <Route path=path!("/view-cos/batches/:batch_id/assign") view=BatchAssignPage ssr=SsrMode::Async/>
                <Route path=path!("/create-cos/deleted") view=CosDeletedPage ssr=SsrMode::Async/>
                <Route path=path!("/create-cos/:cos_number/saved") view=CosSavedPage ssr=SsrMode::Async/>
                <Route path=path!("/work-addresses") view=WorkAddressesPage ssr=SsrMode::Async/>
                <Route path=path!("/work-addresses/add") view=AddWorkAddressPage ssr=SsrMode::Async/>
                <Route path=path!("/work-addresses/:id") view=WorkAddressPage ssr=SsrMode::Async/>
                <Route path=path!("/work-addresses/:id/delete") view=DeleteWorkAddressPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties") view=SponsorshipDutiesPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/manage-live-cos") view=ManageLiveSearchPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/manage-live-cos/:cos_number") view=ManageLiveCosPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/manage-live-cos/:cos_number/withdraw") view=WithdrawalConfirmationPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/manage-live-cos/:cos_number/note") view=AddNotePage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/report-activity") view=ReportSearchPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/report-activity/:cos_number") view=ReportCosPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/report-activity/:cos_number/report") view=ReportFormPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/report-activity/:cos_number/check") view=CheckReportPage ssr=SsrMode::Async/>
                <Route path=path!("/sponsorship-duties/report-activity/:cos_number/reported") view=ActivityReportedPage ssr=SsrMode::Async/>
            </FlatRoutes>
        </Router>
    }
}
