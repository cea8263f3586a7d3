import { Tooltip, type TooltipProps } from 'antd';

// A touch screen has no hover: a tooltip opened by a tap stays over the next control and eats
// the next tap. Such devices get the plain control (its aria-label still names it).
const canHover = typeof window === 'undefined' || !window.matchMedia || window.matchMedia('(hover: hover)').matches;

export function HoverTooltip(props: TooltipProps) {
  if (!canHover) return <>{props.children}</>;
  return <Tooltip {...props} />;
}
