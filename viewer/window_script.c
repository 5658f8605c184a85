/* The test mode: FRAME_VIEWER_SCRIPT names a file of commands, one a line,
 * run in order once every tile shows a frame. They drive the window as a
 * user would, through SDL's event queue (SDL_PushEvent), and say what it
 * showed on stdout:
 *   tiles N            wait until there are N tiles (--all)
 *   frames N           wait until every tile has shown N frames
 *   move NAME FX FY    the mouse to the centre of frame pixel (FX, FY) of
 *                      segment NAME's tile, wherever zoom put it
 *   wheel N            N wheel steps at the mouse (negative: out)
 *   drag DX DY         drag by (DX, DY) window pixels
 *   key KEY            press and release KEY (SDL's name: p, 0, Tab)
 *   sleep MS           let MS milliseconds pass (frames keep coming)
 *   size W H           the window's size
 *   shot FILE          the window read back (SDL_RenderReadPixels) to a PNG
 *   layout             "layout NAME x y w h label x y w h graph x y w h"
 *   quit
 * The probe's readings are printed as they change: "probe NAME X Y v..."
 * then ": " and what it shows. Not for users: the help does not name it. */
#include "window_private.h"

#include "clock.h"
#include "deadline.h"
#include "msg.h"
#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRIPT_ENV "FRAME_VIEWER_SCRIPT"
#define SCRIPT_LINES 128

struct script {
    char *lines[SCRIPT_LINES];
    int n, next;
    int64_t sleep_until;
};

int script_open(struct window *w)
{
    const char *path = getenv(SCRIPT_ENV);
    if (!path || !*path)
        return 0;
    FILE *f = fopen(path, "r");
    struct script *s = calloc(1, sizeof(*s));
    if (!f || !s) {
        msg_error("%s '%s': %s", SCRIPT_ENV, path, strerror(errno));
        if (f)
            fclose(f);
        free(s);
        return -1;
    }
    char line[512];
    while (s->n < SCRIPT_LINES && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && line[0] != '#')
            s->lines[s->n++] = strdup(line);
    }
    fclose(f);
    w->script = s;
    return 0;
}

void script_close(struct window *w)
{
    struct script *s = w->script;
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->lines[i]);
    free(s);
    w->script = NULL;
}

static void push(SDL_Event *ev)
{
    if (SDL_PushEvent(ev) < 0)
        msg_error("SDL_PushEvent: %s", SDL_GetError());
}

static struct tile *tile_named(struct window *w, const char *name)
{
    for (size_t i = 0; i < w->n_tiles; i++)
        if (strcmp(w->tiles[i]->src.name, name) == 0)
            return w->tiles[i];
    return NULL;
}

static void move_to(int x, int y)
{
    SDL_Event ev = {.type = SDL_MOUSEMOTION};
    ev.motion.x = x;
    ev.motion.y = y;
    push(&ev);
}

static void button(uint32_t type, int x, int y)
{
    SDL_Event ev = {.type = type};
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    ev.button.x = x;
    ev.button.y = y;
    push(&ev);
}

static int shot(struct window *w, const char *file)
{
    uint8_t *px;
    int pw, ph;
    int rc = window_redraw_read(w, &px, &pw, &ph);
    if (rc)
        return rc;
    struct frame_image img;
    frame_image_layout(&img, FRAME_FORMAT_RGBA8, (uint32_t)pw, (uint32_t)ph, 1,
                       px);
    rc = snapshot_write(file, &img);
    free(px);
    if (rc == 0)
        printf("shot %s %dx%d\n", file, pw, ph);
    return rc;
}

static void layout(struct window *w)
{
    for (size_t i = 0; i < w->n_tiles; i++) {
        const struct tile *t = w->tiles[i];
        const SDL_Rect *l = &t->label_box, *g = &t->graph_box;
        printf("layout %s %d %d %d %d label %d %d %d %d graph %d %d %d %d\n",
               t->src.name, t->rect.x, t->rect.y, t->rect.w, t->rect.h, l->x,
               l->y, l->w, l->h, g->x, g->y, g->w, g->h);
    }
}

/* Whether every tile has shown n frames (and there is one). */
static bool shown(const struct window *w, uint64_t n)
{
    bool ok = w->n_tiles > 0;
    for (size_t i = 0; i < w->n_tiles && ok; i++)
        ok = w->tiles[i]->have_front && w->tiles[i]->src.shown >= n;
    return ok;
}

/* Run one command: 1 done, 0 not yet (to be tried again), -1 failed. */
static int run(struct window *w, struct script *s, const char *line,
               int64_t now)
{
    char cmd[16], a[256] = "";
    long x = 0, y = 0;
    int n = sscanf(line, "%15s %255s %ld %ld", cmd, a, &x, &y);
    if (n < 1)
        return 1;
    if (strcmp(cmd, "tiles") == 0)
        return w->n_tiles >= (size_t)atol(a) && shown(w, 1);
    if (strcmp(cmd, "frames") == 0)
        return shown(w, (uint64_t)atol(a));
    if (strcmp(cmd, "sleep") == 0) {
        if (!s->sleep_until) {
            s->sleep_until = now + atol(a) * 1000000;
            return 0;
        }
        if (now < s->sleep_until)
            return 0;
        s->sleep_until = 0;
        return 1;
    }
    if (strcmp(cmd, "move") == 0 && n == 4) {
        struct tile *t = tile_named(w, a);
        if (!t || x < 0 || y < 0)
            return -1;
        int wx, wy;
        tile_view_point(t, (uint32_t)x, (uint32_t)y, &wx, &wy);
        if (window_tile_at(w, wx, wy) != t)
            return -1; /* not in view */
        move_to(wx, wy);
        return 1;
    }
    if (strcmp(cmd, "wheel") == 0) {
        SDL_Event ev = {.type = SDL_MOUSEWHEEL};
        ev.wheel.y = atoi(a);
        ev.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
        ev.wheel.mouseX = w->mouse_x;
        ev.wheel.mouseY = w->mouse_y;
        push(&ev);
        return 1;
    }
    if (strcmp(cmd, "drag") == 0 && n >= 3) {
        int dx = atoi(a), dy = (int)x;
        button(SDL_MOUSEBUTTONDOWN, w->mouse_x, w->mouse_y);
        SDL_Event ev = {.type = SDL_MOUSEMOTION};
        ev.motion.x = w->mouse_x + dx;
        ev.motion.y = w->mouse_y + dy;
        ev.motion.xrel = dx;
        ev.motion.yrel = dy;
        ev.motion.state = SDL_BUTTON_LMASK;
        push(&ev);
        button(SDL_MOUSEBUTTONUP, w->mouse_x + dx, w->mouse_y + dy);
        return 1;
    }
    if (strcmp(cmd, "key") == 0) {
        SDL_Keycode k = SDL_GetKeyFromName(a);
        if (k == SDLK_UNKNOWN)
            return -1;
        SDL_Event ev = {.type = SDL_KEYDOWN};
        ev.key.state = SDL_PRESSED;
        ev.key.keysym.sym = k;
        push(&ev);
        ev.type = SDL_KEYUP;
        ev.key.state = SDL_RELEASED;
        push(&ev);
        return 1;
    }
    if (strcmp(cmd, "size") == 0 && n >= 3) {
        present_set_size(w->p, (uint32_t)atol(a), (uint32_t)x);
        w->relayout = true;
        w->dirty = true;
        return 1;
    }
    if (strcmp(cmd, "shot") == 0)
        return shot(w, a) ? -1 : 1;
    if (strcmp(cmd, "layout") == 0) {
        layout(w);
        return 1;
    }
    if (strcmp(cmd, "quit") == 0) {
        w->quit = true;
        return 1;
    }
    return -1;
}

int script_step(struct window *w, int64_t now)
{
    struct script *s = w->script;
    /* Everything pushed is handled and drawn before the next command. */
    if (w->dirty || w->relayout ||
        SDL_PeepEvents(NULL, 0, SDL_PEEKEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT) >
            0)
        return 0;
    while (s->next < s->n) {
        const char *line = s->lines[s->next];
        int rc = run(w, s, line, now);
        if (rc < 0) {
            msg_error("%s: cannot run '%s'", SCRIPT_ENV, line);
            w->quit = true;
            return 0;
        }
        if (rc == 0) /* waiting: for frames, or the end of a sleep */
            return s->sleep_until ? ms_until(s->sleep_until, now) : 20;
        s->next++;
        fflush(stdout);
        if (w->dirty || w->relayout ||
            SDL_PeepEvents(NULL, 0, SDL_PEEKEVENT, SDL_FIRSTEVENT,
                           SDL_LASTEVENT) > 0)
            return 0;
    }
    return -1;
}

void script_probe(struct window *w, const struct tile *t, const char *text,
                  const uint32_t *values, int n, uint32_t x, uint32_t y)
{
    if (!w->script)
        return;
    printf("probe %s %u %u", t->src.name, x, y);
    for (int i = 0; i < n; i++)
        printf(" %u", values[i]);
    printf(" : %s\n", text);
    fflush(stdout);
}
