/*-------------------------------------------------------------------------
 *
 * redact.c
 *		Statement texts with their passwords replaced, found by
 *		PostgreSQL's own lexer.
 *
 * pghero shows and stores the texts of pg_stat_activity and
 * pg_stat_statements.  Some of them carry secrets: CREATE/ALTER ROLE ...
 * PASSWORD '...', CREATE/ALTER USER MAPPING ... OPTIONS (password '...'),
 * CREATE/ALTER SUBSCRIPTION ... CONNECTION '...'.  pghero_redact_query()
 * replaces each such string constant by '<redacted>' and leaves every
 * other byte of the text as it was.
 *
 * The text is split into tokens by the core scanner (scanner_init() and
 * core_yylex() with the server's keyword list, as pg_stat_statements'
 * normalizer does), so quoting is understood exactly as the server
 * understands it: E'...', U&'...' UESCAPE '...', $tag$...$tag$, doubled
 * quotes, comments, several statements separated by semicolons.  A string
 * constant is redacted when it follows, directly or after "=", "=>", ":="
 * or TO, the keyword PASSWORD or CONNECTION, or an identifier or string
 * whose name ends in "password" (option names such as "password" or
 * sslpassword in OPTIONS lists, with or without ADD or SET).  Any other
 * string constant that mentions a password is looked into in turn: a
 * connection string (key=value pairs) has the value of its password keys
 * replaced, and anything else is redacted as SQL, so that the body of a DO
 * block or of a function, or a string given to EXECUTE, is covered up to
 * REDACT_MAX_DEPTH levels of nesting; such a constant is then written
 * again, with the same dollar quote tag when it had one, and a plain
 * '...' one with only its quotes doubled, so that no other byte changes.
 *
 * The texts need not be valid: pg_stat_activity truncates them, and a
 * statement that failed to parse is shown too.  When the scanner raises a
 * syntax error (an unterminated string, trailing junk after a number, a
 * bad escape), the error is caught and the text is scanned on from the
 * byte after the last complete token; a failure right after PASSWORD or
 * CONNECTION redacts the rest of the text.  After REDACT_MAX_RESTARTS
 * failures the rest of the text is redacted if it mentions a password.
 * Catching the error without a subtransaction is safe here: the scanner
 * only allocates memory, in a context of our own that is dropped
 * afterwards, and any other error is re-thrown.
 *
 * A text that contains a backslash is scanned twice, first as a session
 * with standard_conforming_strings off would have written it, then with
 * it on, so that 'a\'b' cannot end a password early in either reading;
 * a plain '...' constant holding a backslash is looked into by the second
 * reading only, which keeps its bytes (the first one's value lost them).
 * The scanner's NOTICE about over-long identifiers is kept from the client
 * and the server log by raising client_min_messages and log_min_messages
 * for the duration of the call, in a GUC nest level of its own.
 *
 * The function is immutable and runs in any backend (a view's reader, the
 * collector).  It takes no lock and touches no catalog.  A text that does
 * not contain "password" or the word "connection" (in any case) is
 * returned unchanged without being scanned at all.
 *
 * IDENTIFICATION
 *	  src/redact.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

/* the token codes of core_yylex(); needs the two headers above it */
#include "parser/gram.h"

#include "compat.h"
#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_redact_query);

/* what replaces a secret string constant, and a connection string value */
#define REDACTED_LITERAL	"'<redacted>'"
#define REDACTED_VALUE		"<redacted>"

/* how deep string constants inside string constants are looked into */
#define REDACT_MAX_DEPTH	3

/* scanner failures tolerated in one text before giving up on the rest */
#define REDACT_MAX_RESTARTS 16

/* pseudo token codes (core_yylex() returns positive codes) */
#define TOKEN_LEX_FAILED	(-1)	/* the scanner failed here */
#define TOKEN_UNSCANNED		(-2)	/* gave up: the rest was not scanned */

typedef struct PgheroRedactToken
{
	int			code;			/* core_yylex() token or TOKEN_* above */
	int			start;			/* offset of its first byte in the text */
	int			end;			/* offset just past its last byte */
	const char *str;			/* value of an identifier or a string */
} PgheroRedactToken;

/*
 * The state of one scan of a text.  scan_from() reaches it through a
 * pointer, so what the scanner reached survives the longjmp of its error
 * (no local variable of the function that catches it is involved).
 */
typedef struct PgheroRedactLexer
{
	const char *text;
	int			len;
	bool		standard_strings;	/* standard_conforming_strings */
	PgheroRedactToken *tokens;
	int			ntokens;
	int			maxtokens;
	int			loc;			/* core_yylex()'s location output */
	int			last_end;		/* end of the last complete token */
	int			last_error;		/* sqlerrcode of the last failure */
} PgheroRedactLexer;

static char *redact_sql(const char *text, int len, int depth);

/* bytes that may continue an identifier (scan.l's ident_cont) */
static inline bool
is_ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/*
 * Whether a text may hold a secret at all: "password" anywhere (it ends
 * sslpassword and the like), or "connection" as a word.  Case-insensitive.
 */
static bool
mentions_secret(const char *s, int len)
{
	int			i;

	for (i = 0; i + 8 <= len; i++)
	{
		char		c = s[i] | 0x20;

		if (c == 'p' && pg_strncasecmp(s + i, "password", 8) == 0)
			return true;
		if (c == 'c' && i + 10 <= len &&
			pg_strncasecmp(s + i, "connection", 10) == 0 &&
			(i == 0 || !is_ident_char(s[i - 1])) &&
			(i + 10 == len || !is_ident_char(s[i + 10])))
			return true;
	}
	return false;
}

/* whether a name ends in "password", in any case */
static bool
ends_in_password(const char *name)
{
	size_t		len = strlen(name);

	return len >= 8 && pg_strncasecmp(name + len - 8, "password", 8) == 0;
}

static void
add_token(PgheroRedactLexer *lx, int code, int start, int end,
		  const char *str)
{
	PgheroRedactToken *t;

	if (lx->ntokens == lx->maxtokens)
	{
		lx->maxtokens *= 2;
		lx->tokens = repalloc(lx->tokens,
							  lx->maxtokens * sizeof(PgheroRedactToken));
	}
	t = &lx->tokens[lx->ntokens++];
	t->code = code;
	t->start = start;
	t->end = end;
	t->str = str;
}

/*
 * Scan the text from offset to its end, appending the tokens.  The core
 * scanner raises an ERROR on what it cannot scan.
 */
static void
scan_tokens(PgheroRedactLexer *lx, int offset)
{
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	core_yyscan_t yyscanner;

	yyscanner = scanner_init(lx->text + offset, &yyextra,
							 &ScanKeywords, ScanKeywordTokens);
	/* read any text whatever the settings of this session */
	yyextra.backslash_quote = BACKSLASH_QUOTE_ON;
	yyextra.escape_string_warning = false;
	yyextra.standard_conforming_strings = lx->standard_strings;

	for (;;)
	{
		int			code = core_yylex(&yylval, &lx->loc, yyscanner);
		int			start;
		int			end;

		if (code == 0)
			break;

		/*
		 * flex has put a zero byte just past the current token in scanbuf,
		 * a copy of the text (pg_stat_statements relies on this too).
		 */
		start = offset + lx->loc;
		end = start + (int) strlen(yyextra.scanbuf + lx->loc);
		add_token(lx, code, start, end,
				  (code == IDENT || code == SCONST || code == USCONST) ?
				  yylval.str : NULL);
		lx->last_end = end;
	}
	scanner_finish(yyscanner);
}

/*
 * Scan from offset; returns -1 when the scanner reached the end, else the
 * offset where it failed (the first byte after the last complete token
 * and the blanks that follow it).  Errors other than the scanner's own
 * (syntax errors, bad escapes or encoding in literals) are re-thrown.
 */
static int
scan_from(PgheroRedactLexer *lx, int offset)
{
	MemoryContext cxt = CurrentMemoryContext;
	uint32		save_interrupt_holdoff = InterruptHoldoffCount;
	uint32		save_cancel_holdoff = QueryCancelHoldoffCount;
	volatile bool failed = false;
	int			failed_at;

	lx->last_end = offset;
	PG_TRY();
	{
		scan_tokens(lx, offset);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		int			category;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		category = ERRCODE_TO_CATEGORY(edata->sqlerrcode);
		if (category != ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION &&
			category != ERRCODE_DATA_EXCEPTION &&
			edata->sqlerrcode != ERRCODE_FEATURE_NOT_SUPPORTED)
			PG_RE_THROW();
		lx->last_error = edata->sqlerrcode;
		FlushErrorState();
		FreeErrorData(edata);
		/* errfinish() zeroed these for the handler */
		InterruptHoldoffCount = save_interrupt_holdoff;
		QueryCancelHoldoffCount = save_cancel_holdoff;
		failed = true;
	}
	PG_END_TRY();

	if (!failed)
		return -1;
	failed_at = lx->last_end;
	while (failed_at < lx->len && scanner_isspace(lx->text[failed_at]))
		failed_at++;
	return failed_at;
}

/*
 * Tokens of the whole text.  Where the scanner fails, a TOKEN_LEX_FAILED
 * token spans the rest of the text, and scanning goes on from the byte
 * after the failure; after too many failures, a TOKEN_UNSCANNED token
 * spans the rest and ends the list.  Returns false, when reading with
 * standard_conforming_strings off, for a text that cannot have been
 * written that way: one with a U&'...' string.
 */
static bool
scan_text(PgheroRedactLexer *lx)
{
	int			offset = 0;
	int			restarts = 0;

	while (offset < lx->len)
	{
		int			failed_at = scan_from(lx, offset);

		if (failed_at < 0)
			break;
		if (!lx->standard_strings &&
			lx->last_error == ERRCODE_FEATURE_NOT_SUPPORTED)
			return false;
		if (failed_at >= lx->len)
			break;				/* only blanks after the last token */
		if (++restarts > REDACT_MAX_RESTARTS)
		{
			add_token(lx, TOKEN_UNSCANNED, failed_at, lx->len, NULL);
			break;
		}
		add_token(lx, TOKEN_LEX_FAILED, failed_at, lx->len, NULL);
		offset = failed_at + 1;
	}
	return true;
}

/* tokens that introduce a secret in the string constant that follows */
static bool
names_secret(const PgheroRedactToken *t)
{
	switch (t->code)
	{
		case PASSWORD:
		case CONNECTION:
			return true;
		case IDENT:
		case SCONST:
			return t->str != NULL && ends_in_password(t->str);
		default:
			return false;
	}
}

/* tokens allowed between such a name and its value */
static bool
is_connector(int code)
{
	return code == '=' || code == EQUALS_GREATER || code == COLON_EQUALS ||
		code == TO;
}

/*
 * A connection string (libpq's key = value syntax, values bare or in
 * single quotes with backslash escapes) with the value of every key that
 * ends in "password" replaced.  NULL if the text is not a connection
 * string or has no such key.
 */
static char *
redact_conninfo(const char *value)
{
	const char *p = value;
	const char *copied = value;
	StringInfoData out;
	bool		found = false;

	for (;;)
	{
		const char *key;
		const char *val;
		int			keylen;

		while (scanner_isspace(*p))
			p++;
		if (*p == '\0')
			break;

		key = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		keylen = p - key;
		while (scanner_isspace(*p))
			p++;
		if (keylen == 0 || *p != '=')
			return NULL;
		p++;
		while (scanner_isspace(*p))
			p++;

		val = p;
		if (*p == '\'')
		{
			for (p++; *p != '\''; p++)
			{
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (*p == '\0')
					return NULL;
			}
			p++;
		}
		else
		{
			for (; *p != '\0' && !scanner_isspace(*p); p++)
			{
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
		}
		if (*p != '\0' && !scanner_isspace(*p))
			return NULL;

		if (keylen >= 8 &&
			pg_strncasecmp(key + keylen - 8, "password", 8) == 0)
		{
			if (!found)
				initStringInfo(&out);
			found = true;
			appendBinaryStringInfo(&out, copied, val - copied);
			appendStringInfoString(&out, REDACTED_VALUE);
			copied = p;
		}
	}
	if (!found)
		return NULL;
	appendStringInfoString(&out, copied);
	return out.data;
}

/*
 * A string constant written again with a new value: in its own dollar
 * quotes if it had them and the value allows, else as quote_literal()
 * writes it.
 */
static char *
requote_string(const char *token, int toklen, const char *value,
			   bool standard_strings)
{
	if (token[0] == '\'' && standard_strings)
	{
		/* read without escapes: only the quotes are doubled */
		StringInfoData buf;
		const char *p;

		initStringInfo(&buf);
		appendStringInfoChar(&buf, '\'');
		for (p = value; *p; p++)
		{
			if (*p == '\'')
				appendStringInfoChar(&buf, '\'');
			appendStringInfoChar(&buf, *p);
		}
		appendStringInfoChar(&buf, '\'');
		return buf.data;
	}
	if (token[0] == '$')
	{
		const char *close = memchr(token + 1, '$', toklen - 1);

		if (close != NULL)
		{
			int			taglen = close - token + 1;
			char	   *tag = pnstrdup(token, taglen);

			if (strstr(value, tag) == NULL)
				return psprintf("%s%s%s", tag, value, tag);
		}
	}
	return quote_literal_cstr(value);
}

/* the new value of a string constant not in a secret's place, or NULL */
static char *
redact_string_value(const char *value, int depth)
{
	int			len = strlen(value);
	char	   *result;

	if (!mentions_secret(value, len))
		return NULL;
	result = redact_conninfo(value);
	if (result == NULL && depth + 1 < REDACT_MAX_DEPTH)
		result = redact_sql(value, len, depth + 1);
	return result;
}

/* copy the text up to start, then the replacement; skip to end */
static void
replace_span(StringInfo out, const char *text, int *copied, bool *changed,
			 int start, int end, const char *replacement)
{
	appendBinaryStringInfo(out, text + *copied, start - *copied);
	appendStringInfoString(out, replacement);
	*copied = end;
	*changed = true;
}

/*
 * One scan of a text and its redaction; NULL if nothing was redacted.
 */
static char *
redact_pass(const char *text, int len, bool standard_strings, int depth)
{
	PgheroRedactLexer lx;
	StringInfoData out;
	int			copied = 0;
	bool		changed = false;
	int			i;

	lx.text = text;
	lx.len = len;
	lx.standard_strings = standard_strings;
	lx.ntokens = 0;
	lx.maxtokens = 64;
	lx.tokens = palloc(lx.maxtokens * sizeof(PgheroRedactToken));
	lx.last_error = 0;
	if (!scan_text(&lx))
		return NULL;

	initStringInfo(&out);
	for (i = 0; i < lx.ntokens; i++)
	{
		PgheroRedactToken *t = &lx.tokens[i];

		if (t->code == TOKEN_UNSCANNED)
		{
			if (mentions_secret(text + t->start, len - t->start))
				replace_span(&out, text, &copied, &changed,
							 t->start, len,
							 REDACTED_LITERAL);
			break;
		}

		if (names_secret(t))
		{
			int			j = i + 1;
			PgheroRedactToken *v;

			if (j < lx.ntokens && is_connector(lx.tokens[j].code))
				j++;
			if (j >= lx.ntokens)
				break;
			v = &lx.tokens[j];
			if (v->code == TOKEN_LEX_FAILED || v->code == TOKEN_UNSCANNED)
			{
				/* an unterminated secret, most likely: all the rest goes */
				replace_span(&out, text, &copied, &changed,
							 v->start, len,
							 REDACTED_LITERAL);
				break;
			}
			if (v->code == SCONST || v->code == USCONST)
			{
				int			end = v->end;

				/* U&'...' UESCAPE '!' goes as a whole */
				if (v->code == USCONST && j + 2 < lx.ntokens &&
					lx.tokens[j + 1].code == UESCAPE &&
					lx.tokens[j + 2].code == SCONST)
				{
					j += 2;
					end = lx.tokens[j].end;
				}
				replace_span(&out, text, &copied, &changed,
							 v->start, end,
							 REDACTED_LITERAL);
				i = j;
			}
			continue;
		}

		/*
		 * A string mentioning a password is looked into.  Read without
		 * standard_conforming_strings, a plain '...' holding a backslash has
		 * lost it in its value, and writing that value again would change
		 * the text beyond its secrets: it is looked into by the pass with
		 * standard_conforming_strings on, which reads its bytes as they are.
		 */
		if (t->code == SCONST && t->str != NULL &&
			!(!standard_strings && text[t->start] == '\'' &&
			  memchr(text + t->start, '\\', t->end - t->start) != NULL))
		{
			char	   *value = redact_string_value(t->str, depth);

			if (value != NULL)
				replace_span(&out, text, &copied, &changed,
							 t->start, t->end,
							 requote_string(text + t->start,
											t->end - t->start, value,
											standard_strings));
		}
	}

	if (!changed)
		return NULL;
	appendBinaryStringInfo(&out, text + copied, len - copied);
	return out.data;
}

/*
 * The text with its secrets redacted, or NULL if it has none.
 */
static char *
redact_sql(const char *text, int len, int depth)
{
	const char *current = text;
	int			current_len = len;
	char	   *result;

	if (!mentions_secret(text, len))
		return NULL;

	/* backslashes read both ways: see the file header */
	if (memchr(text, '\\', len) != NULL)
	{
		result = redact_pass(current, current_len, false, depth);
		if (result != NULL)
		{
			current = result;
			current_len = strlen(result);
		}
	}
	result = redact_pass(current, current_len, true, depth);
	if (result != NULL)
		return result;
	return current == text ? NULL : (char *) current;
}

/*
 * pghero_redact_query(text) returns text
 *
 * The text with the string constants that hold passwords replaced by
 * '<redacted>' (see the file header); the argument itself when there is
 * nothing to redact.
 */
Datum
pghero_redact_query(PG_FUNCTION_ARGS)
{
	text	   *query = PG_GETARG_TEXT_PP(0);
	const char *src = VARDATA_ANY(query);
	int			len = VARSIZE_ANY_EXHDR(query);
	MemoryContext cxt;
	MemoryContext oldcxt;
	int			nestlevel = -1;
	char	   *redacted;
	text	   *result = query;

	if (!mentions_secret(src, len))
		PG_RETURN_TEXT_P(query);

	/* the scanner's NOTICEs (over-long identifiers) are not for anyone */
	if (client_min_messages < WARNING || log_min_messages < WARNING)
	{
		nestlevel = NewGUCNestLevel();
		if (client_min_messages < WARNING)
			(void) set_config_option("client_min_messages", "warning",
									 PGC_USERSET, PGC_S_SESSION,
									 GUC_ACTION_SAVE, true, 0, false);
		if (log_min_messages < WARNING)
			(void) set_config_option("log_min_messages", "warning",
									 PGC_SUSET, PGC_S_SESSION,
									 GUC_ACTION_SAVE, true, 0, false);
	}

	cxt = AllocSetContextCreate(CurrentMemoryContext, "pghero redact",
								ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(cxt);
	redacted = redact_sql(pnstrdup(src, len), len, 0);
	MemoryContextSwitchTo(oldcxt);
	if (redacted != NULL)
		result = cstring_to_text(redacted);
	MemoryContextDelete(cxt);

	if (nestlevel >= 0)
		AtEOXact_GUC(true, nestlevel);

	PG_RETURN_TEXT_P(result);
}
