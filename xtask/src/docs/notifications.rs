//! The notification reference page: what the gateway pushes on `/ws`, each with its params and an example.

use std::fmt::Write as _;

use super::markdown::{cell, envelope, json_text, prose, type_link, type_text};
use super::reference::{GENERATED_NOTE, NotificationDoc, Reference};

impl<'a> Reference<'a> {
    pub(super) fn notifications_page(&self) -> String {
        let mut page = String::new();
        page.push_str("# Notification reference\n\n");
        page.push_str(GENERATED_NOTE);
        page.push_str("\n\n");
        page.push_str(
            "The gateway pushes these on `/ws` as JSON-RPC notifications (no `id`, no answer expected). \
             Every one carries `seq`, the `subscription_id` that asked for it (absent for connection-level notices), \
             and `data`. [Streams and notifications](../streams.md) explains `seq`, gaps, snapshots and close codes.\n\n",
        );
        page.push_str("| notification | data | summary |\n|---|---|---|\n");
        for notification in &self.notifications {
            let _ = writeln!(
                page,
                "| [`{name}`](#notification-{name}) | {} | {} |",
                self.data_type(notification),
                cell(notification.summary),
                name = notification.name,
            );
        }
        for notification in &self.notifications {
            let _ = writeln!(
                page,
                "\n## `{name}` {{#notification-{name}}}\n\n{}\n",
                prose(notification.summary),
                name = notification.name
            );
            let (params_name, params) = self.definition(notification.params).expect("params are a named definition");
            let _ = writeln!(page, "**Params** ({}):\n", type_link(params_name, "types.md"));
            self.write_fields(&mut page, params, "types.md");
            if let Some(example) = self.examples["notifications"][notification.name].get("params") {
                let message = envelope(&[("method", json_text(&notification.name.into()))], example);
                let _ = writeln!(page, "\n**Example:**\n\n```json\n{message}\n```");
            }
        }
        page
    }

    fn data_type(&self, notification: &NotificationDoc<'a>) -> String {
        let (_, params) = self.definition(notification.params).expect("params are a named definition");
        params.pointer("/properties/data").map(|data| type_text(data, "types.md")).unwrap_or_default()
    }
}
