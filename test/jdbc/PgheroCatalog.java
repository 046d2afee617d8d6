/*
 * PgheroCatalog.java -- browse schema pghero as a BI tool does, over JDBC.
 *
 * Used by test/t/013_jdbc.pl:
 *   java -cp <dir>:postgresql.jar PgheroCatalog <jdbc url> <user> <password>
 *
 * Lists the tables and views of schema pghero with
 * DatabaseMetaData.getTables, their columns with getColumns, and pghero's
 * functions with getFunctions, and prints one line per problem:
 *   - a table, view, column or function without remarks (COMMENT);
 *   - a column whose DATA_TYPE is not a standard java.sql.Types value, or
 *     is Types.OTHER (only jsonb may be OTHER);
 *   - a view that "SELECT * FROM pghero.<view>" cannot read, or whose
 *     ResultSetMetaData column names and types disagree with getColumns.
 * Result columns of the functions (getFunctionColumns: OUT, INOUT,
 * RETURNS TABLE columns and return values) with a non-standard or OTHER type are printed as
 * "result-problem: ..." lines.
 * Then it prints "checked: <n> relations, <n> columns, <n> functions" and
 * exits 0 whether or not it found problems (the test counts the lines); it
 * exits 2 on a connection or metadata error.
 */

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

public class PgheroCatalog
{
	private static final String SCHEMA = "pghero";

	/* Every int constant of java.sql.Types: the standard JDBC types */
	private static Set<Integer> standardTypes()
	{
		Set<Integer> types = new HashSet<>();
		for (Field f : Types.class.getFields())
		{
			if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class)
			{
				try
				{
					types.add(f.getInt(null));
				}
				catch (IllegalAccessException e)
				{
					throw new RuntimeException(e);
				}
			}
		}
		return types;
	}

	private static boolean empty(String s)
	{
		return s == null || s.trim().isEmpty();
	}

	private static String quote(String ident)
	{
		return "\"" + ident.replace("\"", "\"\"") + "\"";
	}

	public static void main(String[] args)
	{
		if (args.length != 3)
		{
			System.err.println("usage: PgheroCatalog <jdbc url> <user> <password>");
			System.exit(2);
		}
		Set<Integer> standard = standardTypes();
		List<String> problems = new ArrayList<>();
		int nrelations = 0, ncolumns = 0, nfunctions = 0;

		try (Connection conn = DriverManager.getConnection(args[0], args[1], args[2]))
		{
			DatabaseMetaData md = conn.getMetaData();

			/* relations: name -> type (TABLE, VIEW, ...) */
			Map<String, String> relations = new LinkedHashMap<>();
			try (ResultSet rs = md.getTables(null, SCHEMA, "%", null))
			{
				while (rs.next())
				{
					String name = rs.getString("TABLE_NAME");
					String type = rs.getString("TABLE_TYPE");
					relations.put(name, type);
					nrelations++;
					if (empty(rs.getString("REMARKS")))
						problems.add(type.toLowerCase() + " " + name + ": no remarks");
				}
			}

			/* columns, per relation, in order */
			Map<String, List<String[]>> columns = new LinkedHashMap<>();
			try (ResultSet rs = md.getColumns(null, SCHEMA, "%", "%"))
			{
				while (rs.next())
				{
					String rel = rs.getString("TABLE_NAME");
					String col = rs.getString("COLUMN_NAME");
					int type = rs.getInt("DATA_TYPE");
					String typeName = rs.getString("TYPE_NAME");
					ncolumns++;
					columns.computeIfAbsent(rel, k -> new ArrayList<>())
						.add(new String[] {col, Integer.toString(type), typeName});
					String where = "column " + rel + "." + col + " (" + typeName + ")";
					if (!relations.containsKey(rel))
						problems.add(where + ": its relation is not listed by getTables");
					if (empty(rs.getString("REMARKS")))
						problems.add(where + ": no remarks");
					if (!standard.contains(type))
						problems.add(where + ": DATA_TYPE " + type + " is not a java.sql.Types value");
					else if (type == Types.OTHER && !"jsonb".equals(typeName))
						problems.add(where + ": DATA_TYPE is OTHER");
				}
			}

			/* every listed relation is readable, with the types listed */
			for (Map.Entry<String, String> r : relations.entrySet())
			{
				String rel = r.getKey();
				List<String[]> cols = columns.getOrDefault(rel, new ArrayList<>());
				if (cols.isEmpty())
					problems.add(r.getValue().toLowerCase() + " " + rel + ": no columns listed");
				if (!"VIEW".equals(r.getValue()))
					continue;
				try (Statement st = conn.createStatement();
					 ResultSet rs = st.executeQuery("SELECT * FROM " + quote(SCHEMA) + "." + quote(rel)))
				{
					ResultSetMetaData rm = rs.getMetaData();
					if (rm.getColumnCount() != cols.size())
						problems.add("view " + rel + ": SELECT * returns " + rm.getColumnCount()
									 + " columns, getColumns lists " + cols.size());
					for (int i = 1; i <= Math.min(rm.getColumnCount(), cols.size()); i++)
					{
						String[] c = cols.get(i - 1);
						if (!rm.getColumnName(i).equals(c[0]))
							problems.add("view " + rel + ": column " + i + " is " + rm.getColumnName(i)
										 + " in the result, " + c[0] + " in getColumns");
						else if (rm.getColumnType(i) != Integer.parseInt(c[1]))
							problems.add("column " + rel + "." + c[0] + ": result type "
										 + rm.getColumnType(i) + " (" + rm.getColumnTypeName(i)
										 + "), getColumns type " + c[1] + " (" + c[2] + ")");
					}
					while (rs.next())
					{
						for (int i = 1; i <= rm.getColumnCount(); i++)
							rs.getObject(i);
					}
				}
				catch (SQLException e)
				{
					problems.add("view " + rel + ": SELECT * fails: " + e.getMessage().split("\n")[0]);
				}
			}

			/* functions */
			try (ResultSet rs = md.getFunctions(null, SCHEMA, "%"))
			{
				while (rs.next())
				{
					nfunctions++;
					if (empty(rs.getString("REMARKS")))
						problems.add("function " + rs.getString("SPECIFIC_NAME") + ": no remarks");
				}
			}

			/* result columns of the functions (OUT, INOUT, RETURNS TABLE) */
			List<String> resultProblems = new ArrayList<>();
			try (ResultSet rs = md.getFunctionColumns(null, SCHEMA, "%", "%"))
			{
				while (rs.next())
				{
					int kind = rs.getShort("COLUMN_TYPE");
					/* pgjdbc reports RETURNS TABLE columns as functionReturn */
					if (kind != DatabaseMetaData.functionColumnOut
						&& kind != DatabaseMetaData.functionColumnInOut
						&& kind != DatabaseMetaData.functionColumnResult
						&& kind != DatabaseMetaData.functionReturn)
						continue;
					int type = rs.getInt("DATA_TYPE");
					String typeName = rs.getString("TYPE_NAME");
					String where = "function result column " + rs.getString("SPECIFIC_NAME") + "."
						+ rs.getString("COLUMN_NAME") + " (" + typeName + ")";
					if (!standard.contains(type))
						resultProblems.add(where + ": DATA_TYPE " + type + " is not a java.sql.Types value");
					else if (type == Types.OTHER && !"jsonb".equals(typeName))
						resultProblems.add(where + ": DATA_TYPE is OTHER");
				}
			}
			for (String p : resultProblems)
				System.out.println("result-problem: " + p);
		}
		catch (SQLException e)
		{
			System.err.println("error: " + e.getMessage());
			System.exit(2);
		}

		for (String p : problems)
			System.out.println("problem: " + p);
		System.out.println("checked: " + nrelations + " relations, " + ncolumns
						   + " columns, " + nfunctions + " functions");
	}
}
