/* The HUD's graph of a tile: the last seconds of frame intervals and
 * publish-to-present latency (graph.c keeps and draws them). Fed when a
 * frame is on screen and drawn when the window is drawn anyway: it never
 * asks for a redraw of its own, so a still window stays asleep. */
#include "window_private.h"

#include "clock.h"

/* The graph's height, in HUD lines. */
#define GRAPH_LINES 4

void tile_graph_frame(struct tile *t, int64_t publish_ns, int64_t shown_ns)
{
    graph_frame(&t->graph, shown_ns, publish_ns);
}

int tile_draw_graph(struct window *w, struct tile *t, int x, int y, int wid)
{
    SDL_Rect rect = {x, y, wid, GRAPH_LINES * text_line_height(w->text)};
    t->graph_box = rect;
    return graph_draw(&t->graph, present_renderer(w->p), w->text, rect,
                      now_ns());
}
