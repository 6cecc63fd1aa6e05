//! Join requests and approvals (SPEC §5): `request_to_join`, `approve`, `deny` and
//! `cancel`, their rules and their effects.

use crate::command::Command;
use crate::error::{Code, Result};
use crate::model::*;
use crate::records::Outcome;
use crate::rules::{misrouted, refuse, Args, Who};
use crate::tenant::{Tenant, KIND_REQUEST};

/// The catalogue entries of §5 commands (see [`crate::catalogue`]).
pub(crate) mod catalogue {
    use crate::catalogue::declare::*;

    /// In the order `:help` and `catalogue()` list them.
    pub(crate) const ENTRIES: &[Entry] = &[
        command(
            "request_to_join",
            Actor,
            &[ACTOR, GROUP, opt("justification", Ty::Text, "''")],
            "Request",
            "Request to join a group",
            "Asks to join a group (R-5.1 to R-5.5).",
        ),
        command(
            "approve",
            Actor,
            &[ACTOR, REQUEST, opt("reason", Ty::Text, "''")],
            "Request",
            "Approve a pending request to join a group",
            "Approves a pending request (R-5.6).",
        ),
        command(
            "deny",
            Actor,
            &[ACTOR, REQUEST, opt("reason", Ty::Text, "''")],
            "Request",
            "Reject a pending request to join a group",
            "Denies a pending request (R-5.6).",
        ),
        command(
            "cancel",
            Actor,
            &[ACTOR, REQUEST],
            "Request",
            "Cancel a pending request to join a group",
            "Cancels a pending request (R-5.7).",
        ),
    ];
}

impl Tenant {
    /// The rules of the §5 commands: a plan or a refusal in §9's order.
    pub(crate) fn decide_requests(&self, a: &mut Args, cmd: &Command) -> Result<RequestPlan> {
        match cmd {
            Command::RequestToJoin { actor, group, justification } => {
                let actor_r = a.actor(actor);
                let group_r = a.group(group);
                let (actor, group) = (actor_r?, group_r?);
                self.decide_request(actor, group, justification)
            }
            Command::Approve { actor, request, reason } | Command::Deny { actor, request, reason } => {
                let approve = matches!(cmd, Command::Approve { .. });
                let actor_r = a.actor(actor);
                let request_r = a.request(request);
                let (actor, request) = (actor_r?, request_r?);
                self.active(actor)?;
                self.may_decide(actor, request)?;
                self.still_pending(request)?;
                let status = if approve { RequestStatus::Approved } else { RequestStatus::Denied };
                Ok(RequestPlan::Settle { request, by: actor, status, reason: reason.clone() })
            }
            Command::Cancel { actor, request } => {
                let actor_r = a.actor(actor);
                let request_r = a.request(request);
                let (actor, request) = (actor_r?, request_r?);
                self.active(actor)?;
                let req = &self.requests[request as usize];
                let admin = self.group_admin(actor);
                match self.live_group(req.group) {
                    Some(_) => self.kind_gate(actor, req.group, "cancel requests to join")?,
                    None if !admin => self.self_service_on(actor, "cancel requests")?,
                    None => {}
                }
                if !admin && req.requester != actor {
                    return refuse(Code::NotRequester, || {
                        format!("{} did not make {} and cannot cancel it", self.du(actor), self.dq(request))
                    });
                }
                self.still_pending(request)?;
                Ok(RequestPlan::Settle { request, by: actor, status: RequestStatus::Cancelled, reason: String::new() })
            }
            _ => misrouted(cmd),
        }
    }

    /// `approve` or `deny` by `actor` of a pending request to join the live `group`: the
    /// decision of those commands for any such request, made or about to be made (R-5.6;
    /// R-12.1's `decide`, R-12.2's approve step).
    pub(crate) fn decide_pending_request(&self, actor: UserIx, group: GroupIx) -> Result<()> {
        self.active(actor)?;
        self.may_decide_live(actor, group)
    }

    pub(crate) fn decide_request(&self, actor: UserIx, group: GroupIx, justification: &str) -> Result<RequestPlan> {
        self.active(actor)?;
        let g = &self.groups[group as usize];
        let admin = self.group_admin(actor);
        let who = Who(self, actor);
        if g.on_premises {
            return refuse(Code::OnPremisesGroup, || {
                format!("{} is synced from on-premises and cannot be joined here", self.dg(group))
            });
        }
        if !admin {
            self.kind_gate(actor, group, "ask to join")?;
            match g.join_policy {
                JoinPolicy::OwnersOnly => {
                    return refuse(Code::GroupClosed, || {
                        format!("{} does not accept requests to join; {who} cannot ask", self.dg(group))
                    })
                }
                JoinPolicy::OwnerApproval if justification.trim().is_empty() => {
                    return refuse(Code::JustificationRequired, || {
                        format!("{} needs a justification for a request to join", self.dg(group))
                    })
                }
                _ => {}
            }
        }
        if self.is_direct_member(group, Principal::User(actor)) {
            return refuse(Code::AlreadyMember, || format!("{who} is already a member of {}", self.dg(group)));
        }
        let pending = self.user_requests[actor as usize].iter().any(|q| {
            self.requests[*q as usize].group == group && self.requests[*q as usize].status == RequestStatus::Pending
        });
        if pending {
            return refuse(Code::RequestPending, || {
                format!("{who} already has a pending request to join {}", self.dg(group))
            });
        }
        let settle = match (g.join_policy, admin) {
            (JoinPolicy::Open, _) => Some("open_group"),
            (_, true) => Some("admin"),
            _ => None,
        };
        Ok(RequestPlan::RequestToJoin { group, requester: actor, justification: justification.to_string(), settle })
    }

    /// The effects of the §5 commands.
    pub(crate) fn apply_requests(&mut self, plan: RequestPlan, seq: u64) -> (Outcome, Created) {
        match plan {
            RequestPlan::RequestToJoin { group, requester, justification, settle } => {
                let id = self.generate_id(KIND_REQUEST);
                let q = self.requests.len() as RequestIx;
                self.ids.insert(id.clone(), Object::Request(q));
                let mut req = Request {
                    id: id.clone(),
                    group,
                    requester,
                    justification,
                    status: RequestStatus::Pending,
                    decided_by: None,
                    reason: String::new(),
                    created_at: self.now,
                    decided_at: None,
                };
                if let Some(reason) = settle {
                    req.status = RequestStatus::Approved;
                    req.reason = reason.to_string();
                    req.decided_at = Some(self.now);
                } else {
                    self.pending.insert(q);
                }
                self.requests.push(req);
                if let Some(list) = self.user_requests.get_mut(requester as usize) {
                    list.push(q);
                }
                if settle.is_some() {
                    let member = Principal::User(requester);
                    let pairs = self.pairs_of_membership(group, member);
                    self.provision(pairs, seq, |t| t.link_member(group, member));
                }
                (Outcome::Request(id.clone()), Created::Extra(id))
            }
            RequestPlan::Settle { request, by, status, reason } => {
                let now = self.now;
                self.pending.remove(&request);
                let req = &mut self.requests[request as usize];
                req.status = status;
                req.decided_by = Some(by);
                req.reason = reason;
                req.decided_at = Some(now);
                let (group, requester, id) = (req.group, req.requester, req.id.clone());
                if status == RequestStatus::Approved {
                    let member = Principal::User(requester);
                    let already = self.users[requester as usize].groups.contains(&group);
                    if !already && self.live_group(group).is_some() {
                        let pairs = self.pairs_of_membership(group, member);
                        self.provision(pairs, seq, |t| t.link_member(group, member));
                    }
                }
                (Outcome::Request(id), Created::Nothing)
            }
        }
    }
}
