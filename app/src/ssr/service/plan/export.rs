//! The plan on paper: a document that is complete without the portal — every phone number, every
//! step, in the order the parts are acted on — rendered as printable HTML or a PDF.
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

use crate::i18n::Lang;
use crate::model::plan::{PersonView, PlanView};
use crate::plan_text::{self as text, duration};
use export::{Block, Doc, TreeNode};

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

/// The line printed on every page: which version this is and when it was made.
pub fn footer(plan: &PlanView, lang: Lang, generated_at: DateTime<Utc>) -> String {
    let t = text::texts(lang);
    let version = match &plan.approved {
        Some(v) => {
            let line = t
                .approved_line
                .replace("{n}", &v.number.to_string())
                .replace("{name}", &v.approved_by_name)
                .replace("{date}", &v.approved_at.format("%Y-%m-%d").to_string());
            if plan.changed_since_approval {
                format!("{} — {line}", t.draft)
            } else {
                line
            }
        }
        None => format!("{} — {}", t.draft, t.never_approved),
    };
    format!(
        "{} · {version} · {} {}",
        plan.client_name,
        t.generated,
        generated_at.format("%Y-%m-%d %H:%M UTC")
    )
}

fn phones(p: &PersonView) -> String {
    let mut parts = Vec::new();
    if !p.mobile.is_empty() {
        parts.push(p.mobile.clone());
    }
    if !p.landline.is_empty() {
        parts.push(p.landline.clone());
    }
    parts.join(" / ")
}

/// The call tree as nested nodes: each person with the numbers to call them on.
pub fn call_tree(people: &[PersonView], lang: Lang) -> (Vec<TreeNode>, Vec<&PersonView>) {
    let t = text::texts(lang);
    let mut children: HashMap<Option<Uuid>, Vec<&PersonView>> = HashMap::new();
    for p in people {
        children.entry(p.caller_id).or_default().push(p);
    }
    fn node<'a>(
        p: &'a PersonView,
        kids: &HashMap<Option<Uuid>, Vec<&'a PersonView>>,
        seen: &mut Vec<Uuid>,
        coord: &str,
    ) -> TreeNode {
        seen.push(p.id);
        let mut label = format!("{} — {}", p.name, or_dash(&phones(p)));
        if p.is_coordinator {
            label = format!("{label} ({coord})");
        }
        let children = kids
            .get(&Some(p.id))
            .map(|list| {
                list.iter()
                    .filter(|c| !seen.contains(&c.id))
                    .copied()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|c| node(c, kids, seen, coord))
            .collect();
        TreeNode { label, children }
    }
    let mut seen = Vec::new();
    let roots: Vec<TreeNode> = people
        .iter()
        .filter(|p| p.is_coordinator)
        .map(|p| node(p, &children, &mut seen, t.coordinator))
        .collect();
    let outside = people.iter().filter(|p| !seen.contains(&p.id)).collect();
    (roots, outside)
}

pub fn document(plan: &PlanView, lang: Lang, generated_at: DateTime<Utc>) -> Doc {
    let t = text::texts(lang);
    let c = &plan.content;
    let person_name: HashMap<Uuid, &str> =
        c.people.iter().map(|p| (p.id, p.name.as_str())).collect();
    let site_name: HashMap<Uuid, &str> = c.sites.iter().map(|s| (s.id, s.name.as_str())).collect();
    let process_name: HashMap<Uuid, &str> = c
        .processes
        .iter()
        .map(|p| (p.id, p.name.as_str()))
        .collect();
    let system_name: HashMap<Uuid, &str> =
        c.systems.iter().map(|s| (s.id, s.name.as_str())).collect();
    let names = |ids: &[Uuid], from: &HashMap<Uuid, &str>| -> String {
        let v: Vec<&str> = ids.iter().filter_map(|i| from.get(i).copied()).collect();
        if v.is_empty() {
            "—".into()
        } else {
            v.join(", ")
        }
    };
    let mut b: Vec<Block> = Vec::new();
    let h = |level: u8, text: &str| Block::Heading {
        level,
        text: text.to_string(),
    };

    for s in &c.sections {
        b.push(h(2, &s.title));
        b.push(Block::Paragraph(s.text.clone()));
    }

    // 1. Safety
    b.push(h(1, t.parts[0]));
    if c.sites.is_empty() {
        b.push(Block::Paragraph(t.empty_part.into()));
    }
    for s in &c.sites {
        b.push(h(2, &s.name));
        b.push(Block::KeyValues(vec![
            (t.address.into(), or_dash(&s.address)),
            (t.safety_plan.into(), or_dash(&s.safety_plan_ref)),
            (t.evacuation_point.into(), or_dash(&s.evacuation_point)),
            (t.assembly_point.into(), or_dash(&s.assembly_point)),
            (
                t.first_responders.into(),
                names(&s.first_responders, &person_name),
            ),
        ]));
        if !s.emergency_numbers.is_empty() {
            b.push(Block::Table {
                header: vec![t.emergency_numbers.into(), String::new()],
                rows: s
                    .emergency_numbers
                    .iter()
                    .map(|n| vec![n.label.clone(), n.number.clone()])
                    .collect(),
            });
        }
    }
    if !c.scenarios.is_empty() {
        b.push(h(2, t.scenarios));
        for sc in &c.scenarios {
            b.push(h(3, &sc.name));
            b.push(Block::Numbered(sc.steps.clone()));
        }
    }

    // 2. Staff
    b.push(h(1, t.parts[1]));
    b.push(h(2, t.call_tree));
    let (roots, outside) = call_tree(&c.people, lang);
    if roots.is_empty() {
        b.push(Block::Paragraph(t.empty_part.into()));
    } else {
        b.push(Block::Tree(roots));
    }
    let ct = &plan.call_tree;
    b.push(Block::Paragraph(
        t.estimate
            .replace("{depth}", &ct.depth.to_string())
            .replace("{minutes}", &ct.minutes_per_call.to_string())
            .replace("{total}", &ct.estimate_minutes.to_string()),
    ));
    if !outside.is_empty() {
        b.push(Block::Paragraph(format!(
            "{}: {}",
            t.not_in_tree,
            outside
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if !c.settings.email_down_rule.is_empty() {
        b.push(h(3, t.email_down));
        b.push(Block::Paragraph(c.settings.email_down_rule.clone()));
    }
    b.push(h(2, t.directory));
    b.push(Block::Table {
        header: vec![
            String::new(),
            t.role.into(),
            t.mobile.into(),
            t.landline.into(),
            t.email.into(),
            t.emergency_contact.into(),
            t.site.into(),
        ],
        rows: c
            .people
            .iter()
            .map(|p| {
                let contact = if p.emergency_name.is_empty() && p.emergency_phone.is_empty() {
                    "—".to_string()
                } else {
                    let rel = if p.emergency_relation.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", p.emergency_relation)
                    };
                    format!("{}{rel} {}", p.emergency_name, p.emergency_phone)
                };
                vec![
                    p.name.clone(),
                    or_dash(&p.role_title),
                    or_dash(&p.mobile),
                    or_dash(&p.landline),
                    or_dash(&p.email),
                    contact,
                    p.site_id
                        .and_then(|s| site_name.get(&s).map(|n| n.to_string()))
                        .unwrap_or_else(|| "—".into()),
                ]
            })
            .collect(),
    });

    // 3. Customers
    b.push(h(1, t.parts[2]));
    if !c.customer_groups.is_empty() {
        b.push(h(2, t.customer_groups));
        b.push(Block::Table {
            header: vec![
                String::new(),
                t.depends_on_processes.into(),
                t.contact.into(),
            ],
            rows: c
                .customer_groups
                .iter()
                .map(|g| {
                    vec![
                        g.name.clone(),
                        names(&g.processes, &process_name),
                        or_dash(&g.contact),
                    ]
                })
                .collect(),
        });
    }
    let com = &c.communication;
    if !com.messages.is_empty() {
        b.push(h(2, t.messages));
        for m in &com.messages {
            b.push(h(
                3,
                &format!("{}: {}", text::message_kind(lang, m.kind), m.subject),
            ));
            for para in m.body.split("\n\n") {
                b.push(Block::Paragraph(para.to_string()));
            }
        }
    }
    if !com.talking_points.say.is_empty() || !com.talking_points.avoid.is_empty() {
        b.push(h(2, t.talking_points));
        b.push(h(3, t.say));
        b.push(Block::Bullets(com.talking_points.say.clone()));
        b.push(h(3, t.avoid));
        b.push(Block::Bullets(com.talking_points.avoid.clone()));
    }
    let desk = &com.service_desk;
    if !desk.overflow_name.is_empty() || !desk.overflow_phone.is_empty() {
        b.push(h(2, t.service_desk));
        b.push(Block::KeyValues(vec![
            (
                t.contact.into(),
                format!(
                    "{} {} {}",
                    desk.overflow_name, desk.overflow_phone, desk.overflow_email
                )
                .trim()
                .to_string(),
            ),
            (t.switch_when.into(), or_dash(&desk.switch_when)),
        ]));
    }

    // 4. Recovery
    b.push(h(1, t.parts[3]));
    b.push(h(2, t.processes));
    b.push(Block::Table {
        header: vec![
            String::new(),
            t.impact_hour.into(),
            t.impact_day.into(),
            t.impact_week.into(),
            t.rto.into(),
            t.rpo.into(),
        ],
        rows: c
            .processes
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    or_dash(&p.impact_hour),
                    or_dash(&p.impact_day),
                    or_dash(&p.impact_week),
                    duration(lang, p.rto_minutes),
                    duration(lang, p.rpo_minutes),
                ]
            })
            .collect(),
    });
    b.push(h(2, t.recovery_order));
    let ordered: Vec<&crate::model::plan::SystemView> = match &plan.recovery_order {
        Some(order) => order
            .iter()
            .filter_map(|id| c.systems.iter().find(|s| s.id == *id))
            .collect(),
        None => {
            b.push(Block::Paragraph(t.cycle.into()));
            c.systems.iter().collect()
        }
    };
    for (i, s) in ordered.iter().enumerate() {
        b.push(h(3, &format!("{}. {}", i + 1, s.name)));
        b.push(Block::KeyValues(vec![
            (t.criticality.into(), s.criticality.as_str().into()),
            (t.rto.into(), duration(lang, s.effective.rto_minutes)),
            (t.rpo.into(), duration(lang, s.effective.rpo_minutes)),
            (
                t.owner.into(),
                s.owner_person_id
                    .and_then(|o| person_name.get(&o).map(|n| n.to_string()))
                    .unwrap_or_else(|| "—".into()),
            ),
            (t.depends_on.into(), names(&s.depends_on, &system_name)),
            (t.processes.into(), names(&s.processes, &process_name)),
        ]));
        if let (Some(p), Some(a)) = (&s.policy, &s.achievable) {
            b.push(Block::KeyValues(vec![(
                t.backup_policy.into(),
                text::policy_summary(lang, p, a),
            )]));
            let gaps =
                crate::domain::sla::gaps(lang, p, s.effective.rpo_minutes, s.effective.rto_minutes);
            if !gaps.is_empty() {
                b.push(Block::Bullets(gaps));
            }
        }
        if !s.procedure.is_empty() {
            b.push(Block::Numbered(s.procedure.clone()));
        }
    }

    Doc {
        title: format!("{} — {}", t.plan, plan.client_name),
        footer: footer(plan, lang, generated_at),
        lang: lang.code().into(),
        blocks: b,
    }
}
