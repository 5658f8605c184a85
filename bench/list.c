/* --list-rows: the rows a run with the same options would have, from the
 * plan's own generator, for bench/check_json.py to hold the JSON to. */
#include "plan.h"

#include <stdio.h>

/* One line a row, words separated by one space:
 *   SECTION TRANSPORT WORK WxH FORMAT READERS SLOTS RATIOS
 * as the JSON's row says them: SLOTS "-" where the JSON has null, RATIOS
 * the keys of the row's "ratios" in order, comma-separated, "-" for none. */
void plan_list(FILE *f, const struct plan *p)
{
    for (int i = 0; i < p->nrows; i++) {
        const struct row *r = &p->rows[i];
        fprintf(f, "%s %s %s %ux%u %s %d ", section_name(r->sec), r->transport,
                r->work, r->width, r->height, row_format_name(r), r->readers);
        if (r->slots)
            fprintf(f, "%u ", r->slots);
        else
            fputs("- ", f);
        int n = 0;
        for (int j = 0; j < p->nratios; j++)
            if (p->ratios[j].num == i)
                fprintf(f, "%s%s", n++ ? "," : "", p->ratios[j].key);
        fputs(n ? "\n" : "-\n", f);
    }
}
