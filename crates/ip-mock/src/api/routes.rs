//! Every route, written once as data. The router and the OpenAPI documents
//! are both built from these tables, so neither can list a route the other
//! lacks.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::routing::{on, MethodFilter, MethodRouter};

use super::{control, openapi, prints};
use crate::sim::Shared;

/// An HTTP method the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Delete,
}

impl Verb {
    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Delete => MethodFilter::DELETE,
        }
    }

    /// Returns the lower-case name OpenAPI uses as the operation's key.
    pub fn openapi_name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Delete => "delete",
        }
    }
}

/// The work a route does; each operation maps to one handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreatePrint,
    ListPrints,
    RetrievePrint,
    UpdatePrint,
    DeletePrint,
    Health,
    ApiDocument,
    ControlDocument,
    Clock,
    AdvanceClock,
    PauseClock,
    ResumeClock,
    SetSpeed,
    AdvanceLetter,
    MoveLetter,
    AdvanceJob,
    MoveJob,
    Events,
    Requests,
    Reset,
    Faults,
    SetFaults,
    Webhooks,
    AddWebhook,
    RemoveWebhook,
    Deliveries,
    Replay,
}

/// One route: method, path (axum syntax, `{id}` for parameters) and what it does.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub verb: Verb,
    pub path: &'static str,
    pub operation: Operation,
    /// A one-line description, used as the OpenAPI summary.
    pub summary: &'static str,
}

const fn route(
    verb: Verb,
    path: &'static str,
    operation: Operation,
    summary: &'static str,
) -> Route {
    Route {
        verb,
        path,
        operation,
        summary,
    }
}

/// The Intelliprint v1 API, behind API keys and the fault layer.
pub const API_ROUTES: &[Route] = &[
    route(
        Verb::Post,
        "/v1/prints",
        Operation::CreatePrint,
        "Create a print job",
    ),
    route(
        Verb::Get,
        "/v1/prints",
        Operation::ListPrints,
        "List print jobs",
    ),
    route(
        Verb::Get,
        "/v1/prints/{id}",
        Operation::RetrievePrint,
        "Retrieve a print job",
    ),
    route(
        Verb::Post,
        "/v1/prints/{id}",
        Operation::UpdatePrint,
        "Update a draft print job; confirmed: true submits it",
    ),
    route(
        Verb::Delete,
        "/v1/prints/{id}",
        Operation::DeletePrint,
        "Delete a draft, or cancel the letters still waiting to print",
    ),
];

/// The control API, behind the optional control token.
pub const CONTROL_ROUTES: &[Route] = &[
    route(
        Verb::Get,
        "/_mock/clock",
        Operation::Clock,
        "Read the virtual clock",
    ),
    route(
        Verb::Post,
        "/_mock/clock/advance",
        Operation::AdvanceClock,
        "Advance the clock and apply every change that falls due",
    ),
    route(
        Verb::Post,
        "/_mock/clock/pause",
        Operation::PauseClock,
        "Stop virtual time",
    ),
    route(
        Verb::Post,
        "/_mock/clock/resume",
        Operation::ResumeClock,
        "Run virtual time at the set speed",
    ),
    route(
        Verb::Post,
        "/_mock/clock/speed",
        Operation::SetSpeed,
        "Set virtual seconds per wall second",
    ),
    route(
        Verb::Post,
        "/_mock/letters/{id}/advance",
        Operation::AdvanceLetter,
        "Move a letter one step along its normal path",
    ),
    route(
        Verb::Post,
        "/_mock/letters/{id}/status",
        Operation::MoveLetter,
        "Move a letter to a status through every step on the way",
    ),
    route(
        Verb::Post,
        "/_mock/prints/{id}/advance",
        Operation::AdvanceJob,
        "Move every letter of a job one step",
    ),
    route(
        Verb::Post,
        "/_mock/prints/{id}/status",
        Operation::MoveJob,
        "Move every letter of a job to a status",
    ),
    route(
        Verb::Get,
        "/_mock/events",
        Operation::Events,
        "The event log of status changes",
    ),
    route(
        Verb::Get,
        "/_mock/requests",
        Operation::Requests,
        "The journal of API requests",
    ),
    route(
        Verb::Post,
        "/_mock/reset",
        Operation::Reset,
        "Forget all state, or one account's",
    ),
    route(
        Verb::Get,
        "/_mock/faults",
        Operation::Faults,
        "The faults in force",
    ),
    route(
        Verb::Post,
        "/_mock/faults",
        Operation::SetFaults,
        "Replace the faults in force",
    ),
    route(
        Verb::Get,
        "/_mock/webhooks",
        Operation::Webhooks,
        "Webhook endpoints and delivery counters",
    ),
    route(
        Verb::Post,
        "/_mock/webhooks",
        Operation::AddWebhook,
        "Add a webhook endpoint",
    ),
    route(
        Verb::Delete,
        "/_mock/webhooks/{id}",
        Operation::RemoveWebhook,
        "Remove a webhook endpoint",
    ),
    route(
        Verb::Get,
        "/_mock/webhooks/deliveries",
        Operation::Deliveries,
        "The webhook delivery log",
    ),
    route(
        Verb::Post,
        "/_mock/webhooks/deliveries/{event}/replay",
        Operation::Replay,
        "Send a stored webhook event again",
    ),
];

/// Routes open to everyone: readiness and the documents.
pub const OPEN_ROUTES: &[Route] = &[
    route(
        Verb::Get,
        "/_mock/health",
        Operation::Health,
        "200 once the server accepts requests",
    ),
    route(
        Verb::Get,
        "/openapi.json",
        Operation::ApiDocument,
        "The OpenAPI document of the v1 API",
    ),
    route(
        Verb::Get,
        "/_mock/openapi.json",
        Operation::ControlDocument,
        "The OpenAPI document of the control API",
    ),
];

fn handler(route: &Route) -> MethodRouter<Arc<Shared>> {
    let filter = route.verb.filter();
    match route.operation {
        Operation::CreatePrint => on(filter, prints::create),
        Operation::ListPrints => on(filter, prints::list),
        Operation::RetrievePrint => on(filter, prints::retrieve),
        Operation::UpdatePrint => on(filter, prints::update),
        Operation::DeletePrint => on(filter, prints::delete),
        Operation::Health => on(filter, super::health),
        Operation::ApiDocument => on(filter, openapi::api_document),
        Operation::ControlDocument => on(filter, openapi::control_document),
        Operation::Clock => on(filter, control::clock),
        Operation::AdvanceClock => on(filter, control::advance_clock),
        Operation::PauseClock => on(filter, control::pause_clock),
        Operation::ResumeClock => on(filter, control::resume_clock),
        Operation::SetSpeed => on(filter, control::set_speed),
        Operation::AdvanceLetter => on(filter, control::advance_letter),
        Operation::MoveLetter => on(filter, control::move_letter),
        Operation::AdvanceJob => on(filter, control::advance_job),
        Operation::MoveJob => on(filter, control::move_job),
        Operation::Events => on(filter, control::events),
        Operation::Requests => on(filter, control::requests),
        Operation::Reset => on(filter, control::reset),
        Operation::Faults => on(filter, control::faults),
        Operation::SetFaults => on(filter, control::set_faults),
        Operation::Webhooks => on(filter, control::webhooks),
        Operation::AddWebhook => on(filter, control::add_webhook),
        Operation::RemoveWebhook => on(filter, control::remove_webhook),
        Operation::Deliveries => on(filter, control::deliveries),
        Operation::Replay => on(filter, control::replay),
    }
}

/// Builds a router with every route of `table`, merging the methods of one path.
pub fn router(table: &[Route]) -> axum::Router<Arc<Shared>> {
    let mut by_path: BTreeMap<&str, MethodRouter<Arc<Shared>>> = BTreeMap::new();
    for route in table {
        let method_router = handler(route);
        let merged = match by_path.remove(route.path) {
            Some(existing) => existing.merge(method_router),
            None => method_router,
        };
        by_path.insert(route.path, merged);
    }
    by_path
        .into_iter()
        .fold(axum::Router::new(), |router, (path, method_router)| {
            router.route(path, method_router)
        })
}
