package io.mailer.feedback.projector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A poll's rows as column arrays for one {@code INSERT … SELECT … FROM unnest(?::text[], ?::int4[], …)}
 * — one statement instead of one per row. Columns are declared in the order of the statement's
 * parameters and filled by name, so no column can be bound in another's place.
 */
final class UnnestColumns {

    private final int rows;
    private final List<Object[]> columns = new ArrayList<>();

    UnnestColumns(int rows) {
        this.rows = rows;
    }

    /** The next {@code text[]} parameter. */
    String[] text() {
        String[] column = new String[rows];
        columns.add(column);
        return column;
    }

    /** The next {@code int4[]} parameter. */
    Integer[] int4() {
        Integer[] column = new Integer[rows];
        columns.add(column);
        return column;
    }

    /** Binds every column, in declaration order, from parameter 1. */
    PreparedStatement bind(Connection con, PreparedStatement ps) throws SQLException {
        for (int c = 0; c < columns.size(); c++) {
            ps.setArray(c + 1, columns.get(c) instanceof Integer[] ints ? Sql.ints(con, ints) : Sql.texts(con, (String[]) columns.get(c)));
        }
        return ps;
    }
}
