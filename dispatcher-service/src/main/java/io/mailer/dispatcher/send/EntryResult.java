package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ses.SesError;

/** What SES said about one member of an answered call: the same shape for SendEmail and SendBulkEmail. */
sealed interface EntryResult {

    record Accepted(String sesMessageId) implements EntryResult {
    }

    record Refused(SesError error) implements EntryResult {
    }
}
