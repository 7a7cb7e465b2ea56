//! How complete a plan is: every check that applies counts once; the score is the share passed,
//! and each failed check is a line on the to-do list.
use chrono::NaiveDate;

use crate::domain::plan::{CallTreeIssue, CallTreeReport};
use crate::model::plan::{Gap, GapCode, MessageKind, Part, PlanContent};

/// The English line for a gap; the UI translates by code.
pub fn english(code: GapCode, subject: &str) -> String {
    use GapCode::*;
    match code {
        NoSite => "No site recorded: add where people work.".into(),
        SiteWithoutAssemblyPoint => format!("Site {subject} has no assembly point."),
        SiteWithoutEmergencyNumbers => format!("Site {subject} has no emergency numbers."),
        SiteWithoutSafetyPlan => {
            format!("Site {subject} does not say where its safety plan (BHV) is.")
        }
        SiteWithoutFirstResponders => format!("Site {subject} has no first responders."),
        NoPeople => "The staff directory is empty.".into(),
        PersonWithoutMobile => format!("{subject} has no mobile number."),
        PersonWithoutEmergencyContact => format!("{subject} has no emergency contact."),
        NoCoordinator => "The call tree has no coordinator.".into(),
        CallTreeMissesPeople => format!("The call tree does not reach: {subject}."),
        CallTreeCycle => format!("The call tree goes round in a circle: {subject}."),
        CallerWithoutPhone => format!("{subject} has calls to make but no phone number."),
        NoEmailDownRule => "The plan does not say what to do when e-mail is down.".into(),
        NoCustomerGroup => {
            "No customer groups recorded: who must hear from you in an incident?".into()
        }
        CustomerGroupWithoutProcesses => {
            format!("Customer group {subject} is not linked to the processes it depends on.")
        }
        NoCustomerMessage => format!("There is no customer message for: {subject}."),
        NoTalkingPoints => "There are no talking points (what to say and what not to say).".into(),
        NoServiceDeskOverflow => {
            "The plan does not say who helps the service desk when calls pile up.".into()
        }
        NoProcess => "No business process recorded: agree RTO and RPO per process.".into(),
        ProcessWithoutTargets => format!("Process {subject} has no agreed RTO and RPO."),
        NoSystem => "No system recorded.".into(),
        SystemWithoutOwner => format!("System {subject} has no owner."),
        SystemWithoutProcedure => format!("System {subject} has no recovery procedure."),
        SystemWithoutTargets => format!("System {subject} has no RTO/RPO (own or from a process)."),
        DependencyCycle => format!("Systems depend on each other in a circle: {subject}."),
        NeverApproved => "The plan has never been approved.".into(),
        ReviewOverdue => format!("The plan was due for review on {subject}."),
    }
}

struct Checks {
    total: u32,
    gaps: Vec<Gap>,
}

impl Checks {
    fn check(&mut self, ok: bool, part: Part, code: GapCode, subject: &str) {
        self.total += 1;
        if !ok {
            self.gaps.push(Gap {
                part,
                code,
                subject: subject.to_string(),
                message: english(code, subject),
            });
        }
    }
}

pub struct Approval {
    pub ever_approved: bool,
    pub review_due: Option<NaiveDate>,
}

pub fn completeness(
    plan: &PlanContent,
    tree: &CallTreeReport,
    dependency_cycle: Option<&[String]>,
    approval: &Approval,
    today: NaiveDate,
) -> (u8, Vec<Gap>) {
    use GapCode::*;
    let mut c = Checks {
        total: 0,
        gaps: Vec::new(),
    };

    c.check(!plan.sites.is_empty(), Part::Safety, NoSite, "");
    for s in &plan.sites {
        c.check(
            !s.assembly_point.trim().is_empty(),
            Part::Safety,
            SiteWithoutAssemblyPoint,
            &s.name,
        );
        c.check(
            !s.emergency_numbers.is_empty(),
            Part::Safety,
            SiteWithoutEmergencyNumbers,
            &s.name,
        );
        c.check(
            !s.safety_plan_ref.trim().is_empty(),
            Part::Safety,
            SiteWithoutSafetyPlan,
            &s.name,
        );
        c.check(
            !s.first_responders.is_empty(),
            Part::Safety,
            SiteWithoutFirstResponders,
            &s.name,
        );
    }

    c.check(!plan.people.is_empty(), Part::Staff, NoPeople, "");
    for p in &plan.people {
        c.check(
            !p.mobile.is_empty(),
            Part::Staff,
            PersonWithoutMobile,
            &p.name,
        );
        let has_contact = !p.emergency_name.is_empty() && !p.emergency_phone.is_empty();
        c.check(
            has_contact,
            Part::Staff,
            PersonWithoutEmergencyContact,
            &p.name,
        );
    }
    if !plan.people.is_empty() {
        let has = |f: fn(&CallTreeIssue) -> bool| tree.issues.iter().any(f);
        c.check(
            !has(|i| {
                matches!(
                    i,
                    CallTreeIssue::NoCoordinator | CallTreeIssue::SeveralCoordinators { .. }
                )
            }),
            Part::Staff,
            NoCoordinator,
            "",
        );
        let unreached = tree.issues.iter().find_map(|i| match i {
            CallTreeIssue::Unreached { names } => Some(names.join(", ")),
            _ => None,
        });
        c.check(
            unreached.is_none(),
            Part::Staff,
            CallTreeMissesPeople,
            &unreached.unwrap_or_default(),
        );
        let cycles: Vec<String> = tree
            .issues
            .iter()
            .filter_map(|i| match i {
                CallTreeIssue::Cycle { names } => Some(names.join(" → ")),
                _ => None,
            })
            .collect();
        c.check(
            cycles.is_empty(),
            Part::Staff,
            CallTreeCycle,
            &cycles.join("; "),
        );
        for i in &tree.issues {
            if let CallTreeIssue::CallerWithoutPhone { name } = i {
                c.check(false, Part::Staff, CallerWithoutPhone, name);
            }
        }
        c.check(
            !plan.settings.email_down_rule.trim().is_empty(),
            Part::Staff,
            NoEmailDownRule,
            "",
        );
    }

    c.check(
        !plan.customer_groups.is_empty(),
        Part::Customers,
        NoCustomerGroup,
        "",
    );
    for g in &plan.customer_groups {
        c.check(
            !g.processes.is_empty(),
            Part::Customers,
            CustomerGroupWithoutProcesses,
            &g.name,
        );
    }
    let com = &plan.communication;
    let missing: Vec<&str> = MessageKind::ALL
        .into_iter()
        .filter(|k| {
            !com.messages
                .iter()
                .any(|m| m.kind == *k && !m.body.trim().is_empty())
        })
        .map(|k| match k {
            MessageKind::FirstNotice => "first notice",
            MessageKind::Update => "update",
            MessageKind::Resolved => "resolved",
        })
        .collect();
    c.check(
        missing.is_empty(),
        Part::Customers,
        NoCustomerMessage,
        &missing.join(", "),
    );
    c.check(
        !com.talking_points.say.is_empty(),
        Part::Customers,
        NoTalkingPoints,
        "",
    );
    let desk = &com.service_desk;
    let has_overflow =
        !desk.overflow_phone.trim().is_empty() && !desk.switch_when.trim().is_empty();
    c.check(has_overflow, Part::Customers, NoServiceDeskOverflow, "");

    c.check(!plan.processes.is_empty(), Part::Recovery, NoProcess, "");
    for p in &plan.processes {
        let ok = p.rto_minutes.is_some() && p.rpo_minutes.is_some();
        c.check(ok, Part::Recovery, ProcessWithoutTargets, &p.name);
    }
    c.check(!plan.systems.is_empty(), Part::Recovery, NoSystem, "");
    for s in &plan.systems {
        c.check(
            s.owner_person_id.is_some(),
            Part::Recovery,
            SystemWithoutOwner,
            &s.name,
        );
        c.check(
            !s.procedure.is_empty(),
            Part::Recovery,
            SystemWithoutProcedure,
            &s.name,
        );
        let ok = s.effective.rto_minutes.is_some() && s.effective.rpo_minutes.is_some();
        c.check(ok, Part::Recovery, SystemWithoutTargets, &s.name);
    }
    if !plan.systems.is_empty() {
        c.check(
            dependency_cycle.is_none(),
            Part::Recovery,
            DependencyCycle,
            &dependency_cycle.map(|n| n.join(" → ")).unwrap_or_default(),
        );
    }

    c.check(approval.ever_approved, Part::Approval, NeverApproved, "");
    if let Some(due) = approval.review_due {
        c.check(
            due >= today,
            Part::Approval,
            ReviewOverdue,
            &due.to_string(),
        );
    }

    let passed = c.total - c.gaps.len() as u32;
    let score = (passed * 100).checked_div(c.total).unwrap_or(0) as u8;
    (score, c.gaps)
}
